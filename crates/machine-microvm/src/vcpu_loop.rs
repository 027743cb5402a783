//! The loop each vCPU thread runs, and the report of a failed instruction.

use crate::Outcome;
use oxemu_devices::Bus;
use oxemu_hypervisor::{SystemEvent, Vcpu, VcpuExit};
use std::sync::Arc;
use std::sync::mpsc::Sender;
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

/// What a vCPU thread needs.
pub struct VcpuContext {
    pub id: u32,
    pub pio: Bus,
    pub mmio: Bus,
    pub mem: Arc<GuestMemoryMmap>,
    pub events: Sender<Outcome>,
}

/// Runs `vcpu` until it reports an outcome.
pub fn run(mut vcpu: Box<dyn Vcpu>, ctx: VcpuContext) {
    let outcome = loop {
        let exit = match vcpu.run() {
            Ok(exit) => exit,
            Err(e) => break Outcome::Error(format!("vCPU {}: {e}", ctx.id)),
        };
        match exit {
            VcpuExit::IoIn(port, data) => {
                if !ctx.pio.read(u64::from(port), data) {
                    data.fill(0xff);
                }
            }
            VcpuExit::IoOut(port, data) => {
                ctx.pio.write(u64::from(port), data);
            }
            VcpuExit::MmioRead(addr, data) => {
                if !ctx.mmio.read(addr, data) {
                    data.fill(0xff);
                }
            }
            VcpuExit::MmioWrite(addr, data) => {
                ctx.mmio.write(addr, data);
            }
            VcpuExit::Halt | VcpuExit::Interrupted => {}
            VcpuExit::Shutdown | VcpuExit::SystemEvent(SystemEvent::Reset) => break Outcome::Reset,
            VcpuExit::SystemEvent(SystemEvent::Shutdown) => break Outcome::PowerOff,
            VcpuExit::SystemEvent(e) => {
                break Outcome::Error(format!("vCPU {}: guest system event {e:?}", ctx.id));
            }
            VcpuExit::InternalError => break Outcome::Error(internal_error(&mut *vcpu, &ctx)),
            VcpuExit::FailEntry(reason) => {
                break Outcome::Error(format!(
                    "vCPU {}: KVM could not enter the guest (hardware reason {reason:#x}){}",
                    ctx.id,
                    where_(&*vcpu, &ctx.mem)
                ));
            }
            VcpuExit::Other(n) => {
                break Outcome::Error(format!(
                    "vCPU {}: unhandled KVM exit {n}{}",
                    ctx.id,
                    where_(&*vcpu, &ctx.mem)
                ));
            }
        }
    };
    let _ = ctx.events.send(outcome);
}

fn internal_error(vcpu: &mut dyn Vcpu, ctx: &VcpuContext) -> String {
    let (sub, data) = vcpu.internal_error();
    let what = match sub {
        1 => "emulation failure",
        2 => "simultaneous exceptions",
        3 => "delivery event failure",
        _ => "internal error",
    };
    let data: Vec<String> = data.iter().map(|d| format!("{d:#x}")).collect();
    format!(
        "vCPU {}: KVM internal error, suberror {sub} ({what}), data [{}]{}",
        ctx.id,
        data.join(" "),
        where_(vcpu, &ctx.mem)
    )
}

/// ", rip=... (gpa ...), code: bytes" for the current instruction, as far as known.
fn where_(vcpu: &dyn Vcpu, mem: &GuestMemoryMmap) -> String {
    let (Ok(regs), Ok(sregs)) = (vcpu.regs(), vcpu.sregs()) else {
        return String::new();
    };
    let linear = sregs.cs.base.wrapping_add(regs.rip);
    let mut s = format!(
        ", rip={:#x} cs={:#x} cr0={:#x} efer={:#x}",
        regs.rip, sregs.cs.selector, sregs.cr0, sregs.efer
    );
    if let Ok(Some(gpa)) = vcpu.translate(linear) {
        let mut code = [0u8; 16];
        let n = (0..code.len())
            .take_while(|&i| {
                mem.read_slice(&mut code[i..i + 1], GuestAddress(gpa + i as u64))
                    .is_ok()
            })
            .count();
        let bytes: Vec<String> = code[..n].iter().map(|b| format!("{b:02x}")).collect();
        s += &format!(" (gpa {gpa:#x}), code: {}", bytes.join(" "));
    }
    s
}
