//! `convert`: copies one or more images (concatenated) into a new image of any format.
//!
//! ```text
//! reader thread: block status ─▶ skip zero chunks, read data chunks ─┐ bounded queue
//! main thread:   ◀─ chunks ◀──────────────────────────────────────────┘
//!                sparse detection ─▶ write data runs / compress clusters ─▶ target
//! ```
//! Buffers go back to the reader through a second queue, so nothing is allocated per
//! chunk and reading overlaps writing.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use anyhow::{Context, Result, bail};
use oxemu_block::BlockBackend;
use oxemu_block::qcow2::{Qcow2, Qcow2Options};
use oxemu_block::raw::RawImage;

use crate::args::{Args, parse_size};
use crate::create::{self, print_formatting};
use crate::image::{self, is_zero};
use crate::progress::Progress;

/// Bytes moved per request.
const CHUNK: u64 = 2 << 20;
/// Chunks in flight between reader and writer.
const DEPTH: usize = 4;

enum Chunk {
    /// `len` bytes that read as zeroes.
    Zero(u64),
    /// Data (the buffer may be longer than `len`).
    Data(Vec<u8>, usize),
}

fn reader(
    mut sources: Vec<(String, Box<dyn BlockBackend>)>,
    tx: SyncSender<Result<Chunk>>,
    free: Receiver<Vec<u8>>,
) {
    for (name, src) in sources.iter_mut() {
        let size = src.size();
        let mut off = 0;
        while off < size {
            let len = (size - off).min(CHUNK - off % CHUNK);
            let chunk = read_chunk(src.as_mut(), off, len, &free)
                .with_context(|| format!("error while reading '{name}' at offset {off}"));
            let failed = chunk.is_err();
            if tx.send(chunk).is_err() || failed {
                return;
            }
            off += len;
        }
    }
}

fn read_chunk(
    src: &mut dyn BlockBackend,
    off: u64,
    len: u64,
    free: &Receiver<Vec<u8>>,
) -> Result<Chunk> {
    let mut zero = true;
    let mut pos = 0;
    while pos < len && zero {
        let st = src.block_status(off + pos, len - pos)?;
        zero = st.zero && !st.data;
        pos += st.len.max(1);
    }
    if zero {
        return Ok(Chunk::Zero(len));
    }
    let mut buf = free
        .try_recv()
        .unwrap_or_else(|_| vec![0u8; CHUNK as usize]);
    src.read_at(&mut buf[..len as usize], off)?;
    Ok(Chunk::Data(buf, len as usize))
}

/// How the writer treats data.
struct WritePolicy {
    compress: bool,
    /// Zero runs of at least this many bytes are not written (0 = write everything).
    sparse: u64,
    /// Granularity of the zero scan (the target's cluster size for qcow2).
    unit: u64,
    /// The target may hold non-zero data where the source has zeroes.
    must_zero: bool,
    cluster: u64,
}

fn write_data(dst: &mut dyn BlockBackend, p: &WritePolicy, buf: &[u8], off: u64) -> Result<()> {
    if p.compress {
        let cs = p.cluster as usize;
        let mut i = 0;
        while i < buf.len() {
            let n = (buf.len() - i).min(cs - ((off as usize + i) % cs));
            let piece = &buf[i..i + n];
            let at = off + i as u64;
            if is_zero(piece) {
                if p.must_zero {
                    dst.write_zeroes(at, n as u64)?;
                }
            } else if n == cs || at + n as u64 == dst.size() {
                dst.write_compressed(piece, at)?;
            } else {
                dst.write_at(piece, at)?;
            }
            i += n;
        }
        return Ok(());
    }
    if p.sparse == 0 {
        return Ok(dst.write_at(buf, off)?);
    }
    // Write runs of non-zero units; skip (or zero) runs of zero units.
    let unit = p.unit as usize;
    let mut i = 0;
    while i < buf.len() {
        let first = (unit - (off as usize + i) % unit).min(buf.len() - i);
        let zero = is_zero(&buf[i..i + first]);
        let mut j = i + first;
        while j < buf.len() {
            let n = unit.min(buf.len() - j);
            if is_zero(&buf[j..j + n]) != zero {
                break;
            }
            j += n;
        }
        let at = off + i as u64;
        if !zero {
            dst.write_at(&buf[i..j], at)?;
        } else if p.must_zero || ((j - i) as u64) < p.sparse {
            if p.must_zero {
                dst.write_zeroes(at, (j - i) as u64)?;
            } else {
                dst.write_at(&buf[i..j], at)?;
            }
        }
        i = j;
    }
    Ok(())
}

/// `convert [-q] [-p] [-c] [-n] [-f fmt] [-O fmt] [-o opts] [-S size] [-t cache]
/// [-B backing] src... dst`
pub fn run(argv: &[String]) -> Result<u8> {
    let a = Args::parse(
        argv,
        "f:O:o:cpS:nqt:T:B:F:m:WUhC",
        &[
            "target-is-zero",
            "help",
            "force-share",
            "image-opts",
            "target-image-opts",
        ],
    )?;
    if a.rest.len() < 2 {
        bail!("Expecting image file name");
    }
    let (srcs, dst) = a.rest.split_at(a.rest.len() - 1);
    let dst = &dst[0];
    let quiet = a.flag("q");
    let sparse = match a.get("S") {
        Some(s) => {
            let v = parse_size(s).context("Invalid buffer size for sparse output specified")?;
            if v % 512 != 0 {
                bail!(
                    "Invalid buffer size for sparse output specified. Valid sizes are multiples of 512"
                );
            }
            v
        }
        None => 4096,
    };
    let mut sources = Vec::new();
    let mut total = 0u64;
    for s in srcs {
        let mut img = image::open(s, a.get("f"), true, false)?;
        total += img.dev().size();
        sources.push((s.clone(), img.into_backend()));
    }
    let out_fmt = a.get("O").unwrap_or("raw");
    let mut t = create::target(out_fmt, &a.all("o"))?;
    t.opts.size = total;
    let backing = a.get("B").map(str::to_owned);
    if let Some(b) = &backing {
        t.opts.backing_file = Some(b.clone());
        t.opts.backing_format = a.get("F").map(str::to_owned);
    }
    let compress = a.flag("c");
    if compress && t.format != "qcow2" {
        bail!("Compression not supported for format '{}'", t.format);
    }
    let unsafe_cache = a.get("t").is_none_or(|c| c == "unsafe");
    let mut out: Box<dyn BlockBackend> = if a.flag("n") {
        match image::open(dst, Some(t.format), false, false)? {
            image::Image::Raw(mut r) => {
                r.set_unsafe_cache(unsafe_cache);
                Box::new(r)
            }
            image::Image::Qcow2(mut q) => {
                q.set_unsafe_cache(unsafe_cache);
                q
            }
        }
    } else {
        if !quiet {
            print_formatting(dst, &t);
        }
        let p = std::path::Path::new(dst);
        let ctx = || format!("{dst}: error while converting {}", t.format);
        if t.format == "raw" {
            create::make_quiet(dst, &t)?;
            let mut r = RawImage::open(p, false).with_context(ctx)?;
            r.set_unsafe_cache(unsafe_cache);
            Box::new(r)
        } else {
            drop(Qcow2::create_with_cache(p, &t.opts, unsafe_cache).with_context(ctx)?);
            let mut q = Qcow2::open_with(
                p,
                Qcow2Options {
                    read_only: false,
                    no_backing: backing.is_none(),
                },
            )
            .with_context(ctx)?;
            q.set_unsafe_cache(unsafe_cache);
            Box::new(q)
        }
    };
    if out.size() < total {
        bail!("output file is smaller than input file");
    }
    let cluster = if t.format == "qcow2" {
        t.opts.cluster_size
    } else {
        512
    };
    let policy = WritePolicy {
        compress,
        sparse,
        unit: if t.format == "qcow2" {
            cluster.max(sparse)
        } else {
            sparse.max(512)
        },
        must_zero: (a.flag("n") && !a.flag("target-is-zero")) || backing.is_some(),
        cluster,
    };
    let (tx, rx) = sync_channel(DEPTH);
    let (free_tx, free_rx) = sync_channel::<Vec<u8>>(DEPTH + 2);
    let reader = std::thread::spawn(move || reader(sources, tx, free_rx));
    let mut progress = Progress::new(a.flag("p") && !quiet, total);
    let mut off = 0u64;
    let zeros = vec![0u8; CHUNK as usize];
    for chunk in rx {
        match chunk? {
            Chunk::Zero(len) => {
                if policy.must_zero {
                    out.write_zeroes(off, len)?;
                } else if sparse == 0 {
                    out.write_at(&zeros[..len as usize], off)?;
                }
                off += len;
            }
            Chunk::Data(buf, len) => {
                write_data(out.as_mut(), &policy, &buf[..len], off)
                    .with_context(|| format!("error while writing at byte {off}"))?;
                off += len as u64;
                let _ = free_tx.try_send(buf);
            }
        }
        progress.update(off);
    }
    reader
        .join()
        .map_err(|_| anyhow::anyhow!("reader thread failed"))?;
    out.flush()?;
    progress.finish();
    Ok(0)
}
