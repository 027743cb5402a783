//! `oxemu-system-x86_64`: x86-64 guests on KVM with QEMU's command line.
#![forbid(unsafe_code)]

mod cli;
mod opts;

use oxemu_machine_microvm::Outcome;
use std::process::ExitCode;

const NAME: &str = "oxemu-system-x86_64";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let inv = match cli::parse(&args) {
        Ok(cli::Action::Print(text)) => {
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        Ok(cli::Action::Run(inv)) => inv,
        Err(msg) => {
            eprintln!("{NAME}: {msg}");
            return ExitCode::FAILURE;
        }
    };
    let hv = match oxemu_hypervisor::kvm::KvmHypervisor::new() {
        Ok(hv) => hv,
        Err(e) => {
            eprintln!("{NAME}: -accel kvm: {}", chain(&e));
            return ExitCode::FAILURE;
        }
    };
    let code = match oxemu_machine_microvm::run(&hv, &inv.machine) {
        Ok(Outcome::PowerOff) => 0,
        Ok(Outcome::Reset) => {
            if !inv.no_reboot {
                eprintln!("{NAME}: the guest reset the machine; rebooting is not implemented");
            }
            0
        }
        Ok(Outcome::Error(msg)) => {
            eprintln!("{NAME}: {msg}");
            1
        }
        Err(e) => {
            eprintln!("{NAME}: {}", chain(&e));
            1
        }
    };
    // The other vCPU threads may still be in KVM_RUN: end the process with them.
    std::process::exit(code)
}

/// An error with its sources: "a: b: c".
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s += &format!(": {c}");
        src = c.source();
    }
    s
}
