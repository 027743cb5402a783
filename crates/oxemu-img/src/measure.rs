//! `measure`: the file size a new image needs, as qemu-img computes it.

use anyhow::{Result, bail};
use serde_json::json;

use crate::args::{Args, parse_size};
use crate::create;
use crate::image;
use crate::info::to_json;

/// Refcount table and block clusters for `clusters` clusters (they count themselves).
fn refcount_metadata(clusters: u64, cs: u64, order: u32) -> u64 {
    let per_block = (cs * 8) >> order;
    let per_table = cs / 8;
    let (mut table, mut blocks) = (0u64, 0u64);
    loop {
        let b = (clusters + table + blocks).div_ceil(per_block);
        let t = b.div_ceil(per_table);
        if (b, t) == (blocks, table) {
            return (blocks + table) * cs;
        }
        (blocks, table) = (b, t);
    }
}

/// Metadata of a fully allocated qcow2 image of `size` bytes.
fn qcow2_metadata(size: u64, cs: u64, order: u32) -> u64 {
    let aligned = size.div_ceil(cs) * cs;
    let entries_per = cs / 8;
    let mut meta = cs;
    let l2e = (aligned / cs).div_ceil(entries_per) * entries_per;
    meta += l2e * 8;
    let l1e = (l2e * 8 / cs).div_ceil(entries_per) * entries_per;
    meta += l1e * 8;
    meta + refcount_metadata((meta + aligned) / cs, cs, order)
}

/// `measure [--output=human|json] [-O fmt] [-o options] [--size N | [-f fmt] filename]`
pub fn run(argv: &[String]) -> Result<u8> {
    let a = Args::parse(
        argv,
        "f:O:o:l:hU",
        &[
            "output=",
            "size=",
            "help",
            "force-share",
            "image-opts",
            "object=",
        ],
    )?;
    let json = match a.get("output").unwrap_or("human") {
        "json" => true,
        "human" => false,
        o => bail!("--output must be used with human or json as argument (not '{o}')"),
    };
    let t = create::target(a.get("O").unwrap_or("raw"), &a.all("o"))?;
    let (size, data) = match (a.get("size"), a.rest.first()) {
        (Some(_), Some(_)) => bail!("--size N cannot be used together with a filename"),
        (None, None) => bail!("Either --size N or one filename must be specified"),
        (Some(s), None) => (parse_size(s)?, None),
        (None, Some(p)) => {
            let mut img = image::open(p, a.get("f"), true, false)?;
            let cs = if t.format == "qcow2" {
                t.opts.cluster_size
            } else {
                512
            };
            // Clusters of the new image that will hold data.
            let mut clusters = 0u64;
            let mut last: Option<u64> = None;
            for (start, st) in crate::map::extents(img.dev())? {
                if st.zero && !st.data {
                    continue;
                }
                let first = start / cs;
                let end = (start + st.len).div_ceil(cs);
                let from = last.map_or(first, |l| first.max(l));
                clusters += end.saturating_sub(from);
                last = Some(end);
            }
            (img.dev().size(), Some(clusters * cs))
        }
    };
    let (required, full) = if t.format == "qcow2" {
        let o = &t.opts;
        let meta = qcow2_metadata(size, o.cluster_size, o.refcount_bits.trailing_zeros());
        let aligned = size.div_ceil(o.cluster_size) * o.cluster_size;
        (meta + data.unwrap_or(0), meta + aligned)
    } else {
        (size, size)
    };
    let bitmaps = data.is_some() && t.format == "qcow2";
    if json {
        let mut v = json!({"required": required, "fully-allocated": full});
        if bitmaps {
            v["bitmaps"] = json!(0);
        }
        println!("{}", to_json(&v));
    } else {
        println!("required size: {required}\nfully allocated size: {full}");
        if bitmaps {
            println!("bitmaps size: 0");
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_qemu_for_one_gib() {
        // qemu-img measure --size 1G -O qcow2: required 393216.
        assert_eq!(qcow2_metadata(1 << 30, 65536, 4), 393216);
        // 2 MiB disk: fully allocated 2424832.
        assert_eq!(qcow2_metadata(2 << 20, 65536, 4) + (2 << 20), 2424832);
    }
}
