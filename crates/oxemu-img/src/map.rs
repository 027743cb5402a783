//! `map`: where each range of the disk lives, as qemu-img prints it.

use anyhow::{Result, bail};
use oxemu_block::BlockStatus;

use crate::args::Args;
use crate::image::{self, Image};

/// Names of the files of the chain, top first.
fn chain_names(path: &str, fmt: Option<&str>) -> Result<Vec<String>> {
    let mut names = vec![path.to_string()];
    let mut cur = (path.to_string(), fmt.map(str::to_owned));
    for _ in 0..64 {
        let img = image::open(&cur.0, cur.1.as_deref(), true, true)?;
        let Image::Qcow2(q) = img else { break };
        let Some(b) = q.header().backing_file.clone() else {
            break;
        };
        let p = q.backing_path(&b).display().to_string();
        names.push(p.clone());
        cur = (p, q.header().backing_format.clone());
    }
    Ok(names)
}

/// Extents of the whole disk, merged as qemu-img merges them.
pub fn extents(dev: &mut dyn oxemu_block::BlockBackend) -> Result<Vec<(u64, BlockStatus)>> {
    let size = dev.size();
    let mut out: Vec<(u64, BlockStatus)> = Vec::new();
    let mut off = 0;
    while off < size {
        let st = dev.block_status(off, (size - off).min(1 << 30))?;
        if st.len == 0 {
            bail!("block status made no progress at offset {off}");
        }
        if let Some((_, last)) = out.last_mut() {
            let same = last.zero == st.zero
                && last.data == st.data
                && last.present == st.present
                && last.depth == st.depth
                && match (last.host_offset, st.host_offset) {
                    (Some(a), Some(b)) => a + last.len == b,
                    (None, None) => true,
                    _ => false,
                };
            if same {
                last.len += st.len;
                off += st.len;
                continue;
            }
        }
        out.push((off, st));
        off += st.len;
    }
    Ok(out)
}

/// `map [-f fmt] [--output=human|json] filename`
pub fn run(argv: &[String]) -> Result<u8> {
    let a = Args::parse(
        argv,
        "f:hU",
        &[
            "output=",
            "help",
            "force-share",
            "start-offset=",
            "max-length=",
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
    let mut img = image::open(path, a.get("f"), true, false)?;
    let ext = extents(img.dev())?;
    if json {
        let lines: Vec<String> = ext
            .iter()
            .map(|(start, s)| {
                let mut l = format!(
                    "{{ \"start\": {start}, \"length\": {}, \"depth\": {}, \"present\": {}, \"zero\": {}, \"data\": {}",
                    s.len, s.depth, s.present, s.zero, s.data
                );
                if let Some(o) = s.host_offset {
                    l += &format!(", \"offset\": {o}");
                }
                l + "}"
            })
            .collect();
        println!("[{}]", lines.join(",\n"));
    } else {
        let names = chain_names(path, a.get("f"))?;
        let hex = |v: u64| {
            if v == 0 {
                "0".to_string()
            } else {
                format!("{v:#x}")
            }
        };
        println!("{:<16}{:<16}{:<16}File", "Offset", "Length", "Mapped to");
        for (start, s) in &ext {
            if let (true, Some(o)) = (s.data, s.host_offset) {
                let name = names.get(s.depth as usize).map_or("", String::as_str);
                println!("{:<16}{:<16}{:<16}{name}", hex(*start), hex(s.len), hex(o));
            }
        }
    }
    Ok(0)
}
