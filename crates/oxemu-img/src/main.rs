//! `oxemu-img`: creates, inspects, converts and checks disk images, with qemu-img's
//! command-line syntax and output formats.
#![forbid(unsafe_code)]

mod args;
mod check;
mod convert;
mod create;
mod human;
mod image;
mod info;
mod map;
mod measure;
mod modify;
mod progress;
mod snapshot;

use std::process::ExitCode;

const USAGE: &str = "\
usage: oxemu-img [standard options] command [command options]
oxemu disk image utility (qemu-img compatible)

Command syntax:
  create [-q] [-f fmt] [-b backing_file [-F backing_fmt]] [-u] [-o options] filename [size]
  info [-f fmt] [--output=human|json] [--backing-chain] filename
  convert [-q] [-p] [-c] [-n] [-f fmt] [-O output_fmt] [-o options] [-S sparse_size] [-t cache] [-B backing_file] filename [filename2 [...]] output_filename
  check [-q] [-f fmt] [--output=human|json] [-r leaks|all] filename
  snapshot [-q] [-l | -a snapshot | -c snapshot | -d snapshot] filename
  resize [-q] [-f fmt] [--shrink] filename [+ | -]size
  compare [-q] [-f fmt] [-F fmt] [-s] filename1 filename2
  commit [-q] [-f fmt] [-d] filename
  rebase [-q] [-p] [-f fmt] [-u] [-F backing_fmt] -b backing_file filename
  map [-f fmt] [--output=human|json] filename
  measure [--output=human|json] [-O output_fmt] [-o options] [--size N | [-f fmt] filename]

Supported formats: raw qcow2
";

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = argv.first() else {
        eprintln!("oxemu-img: Not enough arguments\nTry 'oxemu-img --help' for more information");
        return ExitCode::from(1);
    };
    let rest = &argv[1..];
    let result = match cmd.as_str() {
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(0)
        }
        "-V" | "--version" => {
            println!("oxemu-img version {}", env!("CARGO_PKG_VERSION"));
            Ok(0)
        }
        "create" => create::run(rest),
        "info" => info::run(rest),
        "convert" => convert::run(rest),
        "check" => check::run(rest),
        "snapshot" => snapshot::run(rest),
        "resize" => modify::resize(rest),
        "compare" => modify::compare(rest),
        "commit" => modify::commit(rest),
        "rebase" => modify::rebase(rest),
        "map" => map::run(rest),
        "measure" => measure::run(rest),
        other => Err(anyhow::anyhow!(
            "Command not found: {other}\nTry 'oxemu-img --help' for more information"
        )),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("oxemu-img: {e:#}");
            // compare reports errors with 2, everything else with 1.
            ExitCode::from(if cmd == "compare" { 2 } else { 1 })
        }
    }
}
