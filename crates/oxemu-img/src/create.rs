//! `create`: new raw or qcow2 images with qemu-img's -o options.

use std::path::Path;

use anyhow::{Context, Result, bail};
use oxemu_block::BlockBackend;
use oxemu_block::qcow2::{Compression, CreateOptions, Preallocation, Qcow2};
use oxemu_block::raw::RawImage;

use crate::args::{Args, parse_opts, parse_size};
use crate::image::{self, check_format};

/// Output format options of `create` and `convert`.
pub struct Target {
    /// "raw" or "qcow2".
    pub format: &'static str,
    /// qcow2 parameters (also the raw preallocation mode).
    pub opts: CreateOptions,
}

fn on_off(k: &str, v: &str) -> Result<bool> {
    match v {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        _ => bail!("Parameter '{k}' expects 'on' or 'off'"),
    }
}

/// Interprets `-o` options for `format`.
pub fn target(format: &str, list: &[&str]) -> Result<Target> {
    let format = check_format(format)?;
    let mut o = CreateOptions::default();
    for (k, v) in parse_opts(list)? {
        match (format, k.as_str()) {
            (_, "size") => o.size = parse_size(&v)?,
            (_, "preallocation") => {
                o.preallocation = match v.as_str() {
                    "off" => Preallocation::Off,
                    "metadata" if format == "qcow2" => Preallocation::Metadata,
                    "falloc" => Preallocation::Falloc,
                    "full" => Preallocation::Full,
                    _ => bail!("Invalid parameter '{v}' for preallocation"),
                }
            }
            ("qcow2", "cluster_size") => o.cluster_size = parse_size(&v)?,
            ("qcow2", "backing_file") => o.backing_file = Some(v),
            ("qcow2", "backing_fmt") => o.backing_format = Some(check_format(&v)?.to_string()),
            ("qcow2", "compat") => {
                o.version = match v.as_str() {
                    "0.10" | "v2" => 2,
                    "1.1" | "v3" => 3,
                    _ => bail!("Invalid compatibility level: '{v}'"),
                }
            }
            ("qcow2", "lazy_refcounts") => o.lazy_refcounts = on_off(&k, &v)?,
            ("qcow2", "compression_type") => {
                o.compression = match v.as_str() {
                    "zlib" => Compression::Zlib,
                    "zstd" => Compression::Zstd,
                    _ => bail!("Invalid compression type '{v}'"),
                }
            }
            ("qcow2", "refcount_bits") => {
                o.refcount_bits = v
                    .parse()
                    .with_context(|| format!("Invalid refcount_bits '{v}'"))?
            }
            ("qcow2", "extended_l2") => {
                if on_off(&k, &v)? {
                    bail!("extended_l2=on is not supported");
                }
            }
            ("qcow2", "encryption" | "encrypt.format") if v != "off" => {
                bail!("encrypted images are not supported")
            }
            ("qcow2", "data_file") => bail!("external data files are not supported"),
            ("qcow2", "data_file_raw" | "encryption" | "encrypt.format") => {}
            _ => bail!("Invalid parameter '{k}'"),
        }
    }
    Ok(Target { format, opts: o })
}

/// Creates the image described by `t` at `path`.
pub fn make(path: &str, t: &Target, quiet: bool) -> Result<Box<dyn BlockBackend>> {
    if !quiet {
        print_formatting(path, t);
    }
    make_quiet(path, t)
}

/// [`make`] without the "Formatting" line.
pub fn make_quiet(path: &str, t: &Target) -> Result<Box<dyn BlockBackend>> {
    let o = &t.opts;
    let p = Path::new(path);
    let ctx = || "Could not create image";
    Ok(match t.format {
        "raw" => {
            let mut r = RawImage::create(p, 0).with_context(ctx)?;
            r.resize(o.size).with_context(ctx)?;
            if o.preallocation == Preallocation::Full {
                let z = vec![0u8; 1 << 20];
                let mut off = 0;
                while off < o.size {
                    let n = (o.size - off).min(z.len() as u64) as usize;
                    r.write_at(&z[..n], off)?;
                    off += n as u64;
                }
            }
            Box::new(r)
        }
        _ => Box::new(Qcow2::create(p, o).with_context(ctx)?),
    })
}

pub fn print_formatting(path: &str, t: &Target) {
    let o = &t.opts;
    if t.format == "raw" {
        println!("Formatting '{path}', fmt=raw size={}", o.size);
        return;
    }
    let mut s = format!(
        "Formatting '{path}', fmt=qcow2 cluster_size={} extended_l2=off",
        o.cluster_size
    );
    if o.version == 2 {
        s += " compat=0.10";
    }
    s += &format!(" compression_type={} size={}", o.compression.name(), o.size);
    if let Some(b) = &o.backing_file {
        s += &format!(" backing_file={b}");
    }
    if let Some(b) = &o.backing_format {
        s += &format!(" backing_fmt={b}");
    }
    if o.preallocation != Preallocation::Off {
        s += &format!(" preallocation={:?}", o.preallocation).to_lowercase();
    }
    s += &format!(
        " lazy_refcounts={} refcount_bits={}",
        if o.lazy_refcounts { "on" } else { "off" },
        o.refcount_bits
    );
    println!("{s}");
}

/// `create [-q] [-f fmt] [-b backing [-F fmt]] [-u] [-o options] filename [size]`
pub fn run(argv: &[String]) -> Result<u8> {
    let a = Args::parse(argv, "f:b:F:uo:qh", &["help"])?;
    let fmt = a.get("f").unwrap_or("raw");
    let mut t = target(fmt, &a.all("o"))?;
    if let Some(b) = a.get("b") {
        t.opts.backing_file = Some(b.to_string());
    }
    if let Some(f) = a.get("F") {
        t.opts.backing_format = Some(check_format(f)?.to_string());
    }
    let (Some(path), size) = (a.rest.first(), a.rest.get(1)) else {
        bail!("Expecting image file name");
    };
    if a.rest.len() > 2 {
        bail!("Unexpected argument: {}", a.rest[2]);
    }
    if let Some(s) = size {
        t.opts.size = parse_size(s).map_err(|_| {
            anyhow::anyhow!(
                "Invalid image size specified. You may use k, M, G, T, P or E suffixes for"
            )
        })?;
    }
    if t.format == "raw" && t.opts.backing_file.is_some() {
        bail!("'raw' does not support backing files");
    }
    if let Some(b) = t.opts.backing_file.clone() {
        // Backing names are relative to the new image's directory.
        let dir = Path::new(path).parent().unwrap_or(Path::new("."));
        let bp = if Path::new(&b).is_absolute() {
            b.clone()
        } else {
            dir.join(&b).display().to_string()
        };
        if !a.flag("u") || size.is_none() {
            let mut bi = image::open(&bp, t.opts.backing_format.as_deref(), true, false)
                .with_context(|| format!("Could not open backing image '{b}'"))?;
            if size.is_none() {
                t.opts.size = bi.dev().size();
            }
            if t.opts.backing_format.is_none() {
                t.opts.backing_format = Some(bi.format().to_string());
            }
        }
    } else if size.is_none() && !a.all("o").iter().any(|o| o.contains("size=")) {
        bail!("Image creation needs a size parameter");
    }
    make(path, &t, a.flag("q"))?;
    Ok(0)
}
