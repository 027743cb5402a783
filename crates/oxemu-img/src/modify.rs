//! `resize`, `compare`, `commit` and `rebase`.

use std::path::Path;

use anyhow::{Context, Result, bail};
use oxemu_block::BlockBackend;

use crate::args::{Args, parse_size};
use crate::image::{self, Image};
use crate::progress::Progress;

const CHUNK: u64 = 2 << 20;

/// `resize [-q] [-f fmt] [--shrink] filename [+|-]size`
pub fn resize(argv: &[String]) -> Result<u8> {
    // "-1G" is a size here, not an option: take the last argument as is.
    let (last, argv) = match argv.split_last() {
        Some((l, r)) => (l.clone(), r),
        None => bail!("Expecting image file name and size"),
    };
    let a = Args::parse(
        argv,
        "f:qh",
        &["shrink", "help", "preallocation=", "image-opts", "object="],
    )?;
    let Some(path) = a.rest.first() else {
        bail!("Expecting image file name and size");
    };
    let mut img = image::open(path, a.get("f"), false, true)?;
    let cur = img.dev().size();
    let new = if let Some(d) = last.strip_prefix('+') {
        cur.checked_add(parse_size(d)?)
            .context("Image size too large")?
    } else if let Some(d) = last.strip_prefix('-') {
        cur.checked_sub(parse_size(d)?)
            .context("New image size must be positive")?
    } else {
        parse_size(&last)?
    };
    if new < cur && !a.flag("shrink") {
        bail!("Use the --shrink option to perform a shrink operation.");
    }
    img.dev()
        .resize(new)
        .with_context(|| format!("Error resizing image '{path}'"))?;
    img.dev().flush()?;
    if !a.flag("q") {
        println!("Image resized.");
    }
    Ok(0)
}

/// `compare [-q] [-f fmt] [-F fmt] [-s] [-p] filename1 filename2`: exit 0 when the
/// guest-visible contents are equal, 1 when they differ, 2 on error.
pub fn compare(argv: &[String]) -> Result<u8> {
    let a = Args::parse(
        argv,
        "f:F:qpshU",
        &["help", "force-share", "image-opts", "object="],
    )?;
    let [p1, p2] = a.rest.as_slice() else {
        bail!("Expecting two image file names");
    };
    let mut i1 = image::open(p1, a.get("f"), true, false)?;
    let mut i2 = image::open(p2, a.get("F").or(a.get("f")), true, false)?;
    let (d1, d2) = (i1.dev(), i2.dev());
    let (s1, s2) = (d1.size(), d2.size());
    let quiet = a.flag("q");
    if a.flag("s") && s1 != s2 {
        if !quiet {
            println!("Strict mode: Image size mismatch!");
        }
        return Ok(1);
    }
    let common = s1.min(s2);
    let mut b1 = vec![0u8; CHUNK as usize];
    let mut b2 = vec![0u8; CHUNK as usize];
    let mut progress = Progress::new(a.flag("p") && !quiet, s1.max(s2));
    let mut off = 0;
    while off < common {
        let n = (common - off).min(CHUNK) as usize;
        d1.read_at(&mut b1[..n], off)
            .with_context(|| format!("error while reading '{p1}'"))?;
        d2.read_at(&mut b2[..n], off)
            .with_context(|| format!("error while reading '{p2}'"))?;
        if let Some(i) = (0..n).find(|&i| b1[i] != b2[i]) {
            if !quiet {
                println!("Content mismatch at offset {}!", off + i as u64);
            }
            return Ok(1);
        }
        off += n as u64;
        progress.update(off);
    }
    // The longer image must read as zeroes past the shorter one.
    let (longer, name) = if s1 > s2 { (d1, p1) } else { (d2, p2) };
    while off < s1.max(s2) {
        let n = (s1.max(s2) - off).min(CHUNK) as usize;
        longer
            .read_at(&mut b1[..n], off)
            .with_context(|| format!("error while reading '{name}'"))?;
        if let Some(i) = (0..n).find(|&i| b1[i] != 0) {
            if !quiet {
                println!("Content mismatch at offset {}!", off + i as u64);
            }
            return Ok(1);
        }
        off += n as u64;
    }
    progress.finish();
    if !quiet {
        println!("Images are identical.");
    }
    Ok(0)
}

/// Copies the clusters `top` allocates (without its backing) into `dst`.
fn copy_allocated(
    top: &mut dyn BlockBackend,
    dst: &mut dyn BlockBackend,
    progress: &mut Progress,
) -> Result<()> {
    let mut buf = vec![0u8; CHUNK as usize];
    let size = top.size();
    let mut off = 0;
    while off < size {
        let st = top.block_status(off, (size - off).min(CHUNK))?;
        if st.present && st.depth == 0 {
            if st.zero && !st.data {
                dst.write_zeroes(off, st.len)?;
            } else {
                let n = st.len as usize;
                top.read_at(&mut buf[..n], off)?;
                dst.write_at(&buf[..n], off)?;
            }
        }
        off += st.len;
        progress.update(off);
    }
    Ok(())
}

/// `commit [-q] [-f fmt] [-d] [-p] filename`: writes the image's own data into its
/// backing file, then empties the image (unless -d).
pub fn commit(argv: &[String]) -> Result<u8> {
    let a = Args::parse(argv, "f:t:b:dpqrh", &["help", "object=", "image-opts"])?;
    let Some(path) = a.rest.first() else {
        bail!("Expecting one image file name");
    };
    let mut img = image::open(path, a.get("f"), false, true)?;
    let Image::Qcow2(top) = &mut img else {
        bail!("Image '{path}' has no backing file to commit to");
    };
    let Some(bname) = top.header().backing_file.clone() else {
        bail!("Image '{path}' has no backing file to commit to");
    };
    let bpath = top.backing_path(&bname).display().to_string();
    let bfmt = top.header().backing_format.clone();
    let mut base = image::open(&bpath, bfmt.as_deref(), false, false)
        .with_context(|| format!("Could not open backing file '{bpath}' for writing"))?;
    if base.dev().size() < top.size() {
        base.dev().resize(top.size())?;
    }
    let mut progress = Progress::new(a.flag("p") && !a.flag("q"), top.size());
    copy_allocated(top.as_mut(), base.dev(), &mut progress)?;
    base.dev().flush()?;
    if !a.flag("d") {
        let size = top.size();
        top.deallocate(0, size)?;
        top.flush()?;
    }
    progress.finish();
    if !a.flag("q") {
        println!("Image committed.");
    }
    Ok(0)
}

/// `rebase [-q] [-p] [-f fmt] [-u] [-F fmt] -b backing filename`: points the image at
/// another backing file; without -u, first copies into the image every range where
/// the old and new backing files differ, so the guest sees the same data.
pub fn rebase(argv: &[String]) -> Result<u8> {
    let a = Args::parse(
        argv,
        "f:F:b:upqt:T:hU",
        &["help", "force-share", "object=", "image-opts"],
    )?;
    let Some(path) = a.rest.first() else {
        bail!("Expecting one image file name");
    };
    let Some(new_name) = a.get("b") else {
        bail!("Must specify backing file (-b) or use unsafe mode (-u)");
    };
    let new_name = (!new_name.is_empty()).then(|| new_name.to_string());
    let mut img = image::open(path, a.get("f"), false, true)?;
    let Image::Qcow2(top) = &mut img else {
        bail!("Format of '{path}' does not support backing files");
    };
    let mut new_fmt = a
        .get("F")
        .map(|f| image::check_format(f).map(str::to_owned))
        .transpose()?;
    let new_path = new_name
        .as_ref()
        .map(|n| top.backing_path(n).display().to_string());
    if !a.flag("u") {
        let old = match top.header().backing_file.clone() {
            Some(b) => {
                let p = top.backing_path(&b).display().to_string();
                Some(
                    image::open(&p, top.header().backing_format.as_deref(), true, false)
                        .with_context(|| format!("Could not open old backing file '{p}'"))?,
                )
            }
            None => None,
        };
        let new = match &new_path {
            Some(p) => Some(
                image::open(p, new_fmt.as_deref(), true, false)
                    .with_context(|| format!("Could not open new backing file '{p}'"))?,
            ),
            None => None,
        };
        if new_fmt.is_none() {
            new_fmt = new.as_ref().map(|i| i.format().to_string());
        }
        let mut progress = Progress::new(a.flag("p") && !a.flag("q"), top.size());
        copy_differences(top.as_mut(), old, new, &mut progress)?;
        progress.finish();
    } else if new_fmt.is_none()
        && let Some(p) = &new_path
        && Path::new(p).exists()
    {
        new_fmt = Some(oxemu_block::probe_format(Path::new(p))?.to_string());
    }
    top.set_backing(new_name.as_deref(), new_fmt.as_deref())
        .with_context(|| {
            format!(
                "Could not change the backing file to '{}'",
                new_name.as_deref().unwrap_or("")
            )
        })?;
    top.flush()?;
    Ok(0)
}

fn read_or_zero(img: &mut Option<Image>, buf: &mut [u8], off: u64) -> Result<()> {
    buf.fill(0);
    if let Some(i) = img {
        let d = i.dev();
        let n = d.size().saturating_sub(off).min(buf.len() as u64) as usize;
        if n > 0 {
            d.read_at(&mut buf[..n], off)?;
        }
    }
    Ok(())
}

fn copy_differences(
    top: &mut dyn BlockBackend,
    mut old: Option<Image>,
    mut new: Option<Image>,
    progress: &mut Progress,
) -> Result<()> {
    let size = top.size();
    let mut a = vec![0u8; CHUNK as usize];
    let mut b = vec![0u8; CHUNK as usize];
    let mut off = 0;
    while off < size {
        let st = top.block_status(off, (size - off).min(CHUNK))?;
        if !st.present {
            let n = st.len as usize;
            read_or_zero(&mut old, &mut a[..n], off)?;
            read_or_zero(&mut new, &mut b[..n], off)?;
            // Compare in 64 KiB pieces so only differing pieces are copied.
            let piece = 65536;
            let mut i = 0;
            while i < n {
                let m = piece.min(n - i);
                if a[i..i + m] != b[i..i + m] {
                    top.write_at(&a[i..i + m], off + i as u64)?;
                }
                i += m;
            }
        }
        off += st.len;
        progress.update(off);
    }
    Ok(())
}
