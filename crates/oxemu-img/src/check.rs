//! `check`: consistency check with qemu-img's output and exit codes
//! (0 clean, 1 check failed, 2 corruptions, 3 leaks only, 63 format has no checks).

use anyhow::{Result, bail};
use oxemu_block::qcow2::{CheckReport, Repair};
use serde_json::{Map, Value, json};

use crate::args::Args;
use crate::image::{self, Image};
use crate::info::to_json;

fn human(r: &CheckReport) -> String {
    let mut s = String::new();
    if r.corruptions == 0 && r.leaks == 0 && r.check_errors == 0 {
        s += "No errors were found on the image.\n";
    }
    if r.corruptions > 0 {
        s += &format!(
            "\n{} errors were found on the image.\nData may be corrupted, or further writes to the image may corrupt it.\n",
            r.corruptions
        );
    }
    if r.leaks > 0 {
        s += &format!(
            "\n{} leaked clusters were found on the image.\nThis means waste of disk space, but no harm to data.\n",
            r.leaks
        );
    }
    if r.total_clusters > 0 {
        let pct = |n: u64| n as f64 * 100.0 / r.total_clusters as f64;
        s += &format!(
            "{}/{} = {:.2}% allocated, {:.2}% fragmented, {:.2}% compressed clusters\n",
            r.allocated_clusters,
            r.total_clusters,
            pct(r.allocated_clusters),
            pct(r.fragmented_clusters),
            pct(r.compressed_clusters)
        );
    }
    s += &format!("Image end offset: {}\n", r.image_end_offset);
    s
}

fn json_report(path: &str, r: &CheckReport) -> Value {
    let mut m = Map::new();
    // Like qemu-img, statistics that are zero are left out.
    if r.image_end_offset > 0 {
        m.insert("image-end-offset".into(), json!(r.image_end_offset));
    }
    if r.total_clusters > 0 {
        m.insert("total-clusters".into(), json!(r.total_clusters));
    }
    m.insert("check-errors".into(), json!(r.check_errors));
    if r.leaks > 0 {
        m.insert("leaks".into(), json!(r.leaks));
    }
    if r.corruptions > 0 {
        m.insert("corruptions".into(), json!(r.corruptions));
    }
    if r.leaks_fixed > 0 {
        m.insert("leaks-fixed".into(), json!(r.leaks_fixed));
    }
    if r.corruptions_fixed > 0 {
        m.insert("corruptions-fixed".into(), json!(r.corruptions_fixed));
    }
    if r.allocated_clusters > 0 {
        m.insert("allocated-clusters".into(), json!(r.allocated_clusters));
    }
    m.insert("filename".into(), json!(path));
    m.insert("format".into(), json!("qcow2"));
    if r.fragmented_clusters > 0 {
        m.insert("fragmented-clusters".into(), json!(r.fragmented_clusters));
    }
    if r.compressed_clusters > 0 {
        m.insert("compressed-clusters".into(), json!(r.compressed_clusters));
    }
    Value::Object(m)
}

fn exit_code(r: &CheckReport) -> u8 {
    if r.check_errors > 0 {
        1
    } else if r.corruptions > 0 {
        2
    } else if r.leaks > 0 {
        3
    } else {
        0
    }
}

/// `check [-q] [-f fmt] [--output=human|json] [-r leaks|all] filename`
pub fn run(argv: &[String]) -> Result<u8> {
    let a = Args::parse(
        argv,
        "f:r:qhTU",
        &["output=", "repair=", "help", "force-share"],
    )?;
    let Some(path) = a.rest.first() else {
        bail!("Expecting one image file name");
    };
    let repair = match a.get("r").or(a.get("repair")) {
        None => Repair::None,
        Some("leaks") => Repair::Leaks,
        Some("all") => Repair::All,
        Some(o) => bail!("Invalid option for -r: '{o}' (use leaks or all)"),
    };
    let json = match a.get("output").unwrap_or("human") {
        "json" => true,
        "human" => false,
        o => bail!("--output must be used with human or json as argument (not '{o}')"),
    };
    let quiet = a.flag("q");
    let mut img = image::open(path, a.get("f"), repair == Repair::None, true)?;
    let Image::Qcow2(q) = &mut img else {
        eprintln!("oxemu-img: This image format does not support checks");
        return Ok(63);
    };
    let mut r = match q.check(repair) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("oxemu-img: Check failed: {e}");
            return Ok(1);
        }
    };
    for m in &r.messages {
        if !quiet && !json {
            eprintln!("{m}");
        }
    }
    if r.leaks_fixed > 0 || r.corruptions_fixed > 0 {
        if !quiet && !json {
            println!(
                "The following inconsistencies were found and repaired:\n\n    {} leaked clusters\n    {} corruptions\n\nDouble checking the fixed image now...",
                r.leaks_fixed, r.corruptions_fixed
            );
        }
        let again = q.check(Repair::None)?;
        r = CheckReport {
            leaks_fixed: r.leaks_fixed,
            corruptions_fixed: r.corruptions_fixed,
            ..again
        };
    }
    if json {
        println!("{}", to_json(&json_report(path, &r)));
    } else if !quiet {
        print!("{}", human(&r));
    }
    Ok(exit_code(&r))
}
