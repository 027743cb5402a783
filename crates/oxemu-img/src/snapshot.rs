//! `snapshot`: list, create, apply and delete internal snapshots.

use anyhow::{Context, Result, bail};

use crate::args::Args;
use crate::image::{self, Image};
use crate::info::snapshot_table;

/// `snapshot [-q] [-l | -a snapshot | -c snapshot | -d snapshot] filename`
pub fn run(argv: &[String]) -> Result<u8> {
    let a = Args::parse(argv, "la:c:d:f:qhU", &["help", "force-share"])?;
    let Some(path) = a.rest.first() else {
        bail!("Expecting one image file name");
    };
    let actions = ["l", "a", "c", "d"].iter().filter(|x| a.flag(x)).count();
    if actions > 1 {
        bail!("Cannot mix '-l', '-a', '-c', '-d'");
    }
    let list = actions == 0 || a.flag("l");
    let mut img = image::open(path, a.get("f"), list, true)?;
    let Image::Qcow2(q) = &mut img else {
        bail!(
            "Format '{}' of '{path}' does not support internal snapshots",
            img.format()
        );
    };
    if list {
        let s = q.snapshots();
        if !s.is_empty() {
            print!("Snapshot list:\n{}", snapshot_table(&s));
        }
    } else if let Some(n) = a.get("c") {
        q.snapshot_create(n)
            .with_context(|| format!("Could not create snapshot '{n}'"))?;
    } else if let Some(n) = a.get("a") {
        q.snapshot_apply(n)
            .with_context(|| format!("Could not apply snapshot '{n}'"))?;
    } else if let Some(n) = a.get("d") {
        q.snapshot_delete(n)
            .with_context(|| format!("Could not delete snapshot '{n}'"))?;
    }
    Ok(0)
}
