//! `info`: image facts, human-readable or as qemu-img's JSON.

use anyhow::{Result, bail};
use oxemu_block::qcow2::SnapshotInfo;
use serde_json::{Map, Value, json};

use crate::args::Args;
use crate::human::{clock, date, size_to_str};
use crate::image::{self, Image};

/// qemu-img's JSON: four-space indentation.
pub fn to_json(v: &Value) -> String {
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    serde::Serialize::serialize(v, &mut ser).expect("JSON to memory");
    String::from_utf8(out).expect("UTF-8")
}

/// A snapshot as qemu-img's JSON shows it.
pub fn snapshot_json(s: &SnapshotInfo) -> Value {
    let mut m = Map::new();
    if let Some(c) = s.icount {
        m.insert("icount".into(), json!(c));
    }
    m.insert(
        "vm-clock-nsec".into(),
        json!(s.vm_clock_nsec % 1_000_000_000),
    );
    m.insert("name".into(), json!(s.name));
    m.insert("date-sec".into(), json!(s.date_sec));
    m.insert("date-nsec".into(), json!(s.date_nsec));
    m.insert(
        "vm-clock-sec".into(),
        json!(s.vm_clock_nsec / 1_000_000_000),
    );
    m.insert("id".into(), json!(s.id));
    m.insert("vm-state-size".into(), json!(s.vm_state_size));
    Value::Object(m)
}

/// The snapshot table as `snapshot -l` and `info` print it.
pub fn snapshot_table(snaps: &[SnapshotInfo]) -> String {
    let mut s = format!(
        "{:<10}{:<17}{:>8}{:>20}{:>13}{:>11}\n",
        "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK", "ICOUNT"
    );
    for sn in snaps {
        s += &format!(
            "{:<9} {:<16} {:>8}{:>20}{:>13}{:>11}\n",
            sn.id,
            sn.name,
            size_to_str(sn.vm_state_size),
            date(sn.date_sec as u64),
            clock(sn.vm_clock_nsec),
            sn.icount.map(|c| c.to_string()).unwrap_or_default()
        );
    }
    s
}

fn describe(path: &str, img: &mut Image) -> Result<(Value, String)> {
    let size = img.dev().size();
    let mut m = Map::new();
    let mut h = String::new();
    let actual;
    h += &format!("image: {path}\nfile format: {}\n", img.format());
    h += &format!("virtual size: {} ({size} bytes)\n", size_to_str(size));
    match img {
        Image::Raw(r) => {
            actual = r.allocated_bytes()?;
            h += &format!("disk size: {}\n", size_to_str(actual));
            m.insert("virtual-size".into(), json!(size));
            m.insert("filename".into(), json!(path));
            m.insert("format".into(), json!("raw"));
            m.insert("actual-size".into(), json!(actual));
        }
        Image::Qcow2(q) => {
            actual = q.allocated_bytes()?;
            let hd = q.header().clone();
            h += &format!(
                "disk size: {}\ncluster_size: {}\n",
                size_to_str(actual),
                hd.cluster_size()
            );
            if let Some(b) = &hd.backing_file {
                m.insert(
                    "backing-filename-format".into(),
                    json!(hd.backing_format.clone().unwrap_or_else(|| "raw".into())),
                );
                let full = q.backing_path(b).display().to_string();
                h += &format!("backing file: {b}");
                if &full != b {
                    h += &format!(" (actual path: {full})");
                }
                h += "\n";
                if let Some(f) = &hd.backing_format {
                    h += &format!("backing file format: {f}\n");
                }
            }
            let snaps = q.snapshots();
            if !snaps.is_empty() {
                m.insert(
                    "snapshots".into(),
                    Value::Array(snaps.iter().map(snapshot_json).collect()),
                );
                h += "Snapshot list:\n";
                h += &snapshot_table(&snaps);
            }
            m.insert("virtual-size".into(), json!(size));
            m.insert("filename".into(), json!(path));
            m.insert("cluster-size".into(), json!(hd.cluster_size()));
            m.insert("format".into(), json!("qcow2"));
            m.insert("actual-size".into(), json!(actual));
            let v3 = hd.version >= 3;
            let mut data = Map::new();
            data.insert("compat".into(), json!(if v3 { "1.1" } else { "0.10" }));
            data.insert("compression-type".into(), json!(hd.compression.name()));
            let lazy = hd.compatible & oxemu_block::qcow2::header::COMPAT_LAZY_REFCOUNTS != 0;
            let corrupt = hd.incompatible & oxemu_block::qcow2::header::INCOMPAT_CORRUPT != 0;
            if v3 {
                data.insert("lazy-refcounts".into(), json!(lazy));
            }
            data.insert("refcount-bits".into(), json!(1u32 << hd.refcount_order));
            if v3 {
                data.insert("corrupt".into(), json!(corrupt));
                data.insert("extended-l2".into(), json!(false));
            }
            h += "Format specific information:\n";
            h += &format!(
                "    compat: {}\n    compression type: {}\n",
                if v3 { "1.1" } else { "0.10" },
                hd.compression.name()
            );
            if v3 {
                h += &format!("    lazy refcounts: {lazy}\n");
            }
            h += &format!("    refcount bits: {}\n", 1u32 << hd.refcount_order);
            if v3 {
                h += &format!("    corrupt: {corrupt}\n    extended l2: false\n");
            }
            m.insert(
                "format-specific".into(),
                json!({"type": "qcow2", "data": Value::Object(data)}),
            );
            if let Some(b) = &hd.backing_file {
                m.insert(
                    "full-backing-filename".into(),
                    json!(q.backing_path(b).display().to_string()),
                );
                m.insert("backing-filename".into(), json!(b));
            }
            let dirty = hd.incompatible & oxemu_block::qcow2::header::INCOMPAT_DIRTY != 0;
            m.insert("dirty-flag".into(), json!(dirty));
            return Ok((Value::Object(m), h));
        }
    }
    m.insert("dirty-flag".into(), json!(false));
    Ok((Value::Object(m), h))
}

/// `info [-f fmt] [--output=human|json] [--backing-chain] [-U] filename`
pub fn run(argv: &[String]) -> Result<u8> {
    let a = Args::parse(
        argv,
        "f:hU",
        &[
            "output=",
            "backing-chain",
            "force-share",
            "help",
            "image-opts",
        ],
    )?;
    let Some(path) = a.rest.first() else {
        bail!("Expecting one image file name");
    };
    let json = match a.get("output").unwrap_or("human") {
        "json" => true,
        "human" => false,
        o => bail!("--output must be used with human or json as argument (not '{o}')"),
    };
    let mut chain = vec![(path.clone(), a.get("f").map(str::to_owned))];
    let mut out_json = Vec::new();
    let mut out_h = Vec::new();
    while let Some((p, f)) = chain.pop() {
        let mut img = image::open(&p, f.as_deref(), true, true)?;
        let (j, h) = describe(&p, &mut img)?;
        out_json.push(j);
        out_h.push(h);
        if a.flag("backing-chain")
            && let Image::Qcow2(q) = &img
            && let Some(b) = q.header().backing_file.clone()
        {
            chain.push((
                q.backing_path(&b).display().to_string(),
                q.header().backing_format.clone(),
            ));
        }
    }
    if json {
        if a.flag("backing-chain") {
            println!("{}", to_json(&Value::Array(out_json)));
        } else {
            println!("{}", to_json(&out_json[0]));
        }
    } else {
        print!("{}", out_h.join("\n"));
    }
    Ok(0)
}
