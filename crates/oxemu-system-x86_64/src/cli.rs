//! The command line: QEMU's syntax for what oxemu-system-x86_64 implements; any
//! other option is an error that names it.

use crate::opts::{Opts, parse_bool, parse_size};
use oxemu_machine_microvm::{DiskConfig, MachineConfig, NetConfig, SerialOut};
use std::collections::HashMap;
use std::path::PathBuf;

/// What main should do.
#[derive(Debug)]
pub enum Action {
    /// Run a machine.
    Run(Box<Invocation>),
    /// Print this text and exit 0.
    Print(String),
}

/// A machine and how to end it.
#[derive(Debug)]
pub struct Invocation {
    /// The machine.
    pub machine: MachineConfig,
    /// -no-reboot: a guest reset ends the run.
    pub no_reboot: bool,
}

pub const USAGE: &str = "\
usage: oxemu-system-x86_64 -accel kvm [options]
  -accel kvm | -enable-kvm | -M microvm,accel=kvm   run on /dev/kvm (required)
  -M microvm               the machine (the only one)
  -cpu host                the host CPU model (the only one)
  -m SIZE                  guest RAM (MiB without a suffix; default 128)
  -smp N                   vCPUs (also cpus=N)
  -kernel FILE             bzImage or ELF with a PVH entry note
  -initrd FILE             initial ramdisk
  -append CMDLINE          kernel command line
  -drive file=F,format=raw,if=none,id=ID[,readonly=on]
  -netdev tap,id=ID[,ifname=NAME]   a TAP interface (created; needs CAP_NET_ADMIN)
  -device virtio-blk-device,drive=ID | virtio-net-device,netdev=ID[,mac=M] | virtio-rng-device
  -chardev stdio|null|file,id=ID[,path=P]
  -device virtio-serial-device -device virtconsole,chardev=ID   (output only)
  -serial stdio|null|none|file:PATH   (default stdio)
  -nographic, -display none, -nodefaults, -no-reboot
";

fn err(msg: impl Into<String>) -> String {
    msg.into()
}

struct Drive {
    path: PathBuf,
    format: Option<String>,
    read_only: bool,
}

/// Parses argv (without the program name).
pub fn parse(args: &[String]) -> Result<Action, String> {
    let mut mem = 128u64 << 20;
    let mut ncpu = 1u32;
    let mut kvm = false;
    let mut kernel = None;
    let mut initrd = None;
    let mut cmdline = String::new();
    let mut drives: HashMap<String, Drive> = HashMap::new();
    let mut disks = Vec::new();
    let mut rng = false;
    let mut chardevs: HashMap<String, SerialOut> = HashMap::new();
    let mut consoles = Vec::new();
    let mut virtio_serial = false;
    let mut netdevs: HashMap<String, Option<String>> = HashMap::new();
    let mut nets = Vec::new();
    let mut serial = SerialOut::Stdio;
    let mut no_reboot = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        // QEMU accepts --opt as -opt.
        let opt = arg.strip_prefix("--").map(|s| format!("-{s}"));
        let opt = opt.as_deref().unwrap_or(arg);
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| err(format!("option {opt} needs an argument")))
        };
        match opt {
            "-h" | "-help" => return Ok(Action::Print(USAGE.into())),
            "-version" => {
                return Ok(Action::Print(format!(
                    "oxemu-system-x86_64 version {}\n",
                    env!("CARGO_PKG_VERSION")
                )));
            }
            "-enable-kvm" => kvm = true,
            "-accel" => {
                let o = Opts::parse(&value()?);
                match o.first.as_deref() {
                    Some("kvm") => kvm = true,
                    Some(a) => return Err(err(format!("-accel {a}: only kvm is implemented"))),
                    None => return Err(err("-accel: no accelerator named")),
                }
                if let Some(k) = o.unknown_key(&[]) {
                    return Err(err(format!("-accel kvm: property '{k}' is not supported")));
                }
            }
            "-M" | "-machine" => {
                let o = Opts::parse(&value()?);
                if let Some(m) = o.first.as_deref().or(o.get("type"))
                    && m != "microvm"
                {
                    return Err(err(format!(
                        "-M {m}: only the microvm machine is implemented"
                    )));
                }
                match o.get("accel") {
                    Some("kvm") => kvm = true,
                    Some(a) => return Err(err(format!("-M accel={a}: only kvm is implemented"))),
                    None => {}
                }
                // Defaults of QEMU's microvm that we match; turning them off is not offered.
                for (k, v) in &o.pairs {
                    let on = parse_bool(v);
                    match (k.as_str(), on) {
                        ("type" | "accel", _) => {}
                        ("pit" | "pic" | "isa-serial" | "auto-kernel-cmdline", Some(true)) => {}
                        ("x-option-roms" | "rtc" | "acpi" | "ioapic2", Some(false)) => {}
                        _ => {
                            return Err(err(format!(
                                "-M microvm: property '{k}={v}' is not supported"
                            )));
                        }
                    }
                }
            }
            "-cpu" => {
                let c = value()?;
                if c != "host" && c != "max" {
                    return Err(err(format!("-cpu {c}: only -cpu host is implemented")));
                }
            }
            "-m" => {
                let v = value()?;
                let o = Opts::parse(&v);
                let size = o.first.as_deref().or(o.get("size")).unwrap_or("");
                mem = parse_size(size, 1 << 20)
                    .ok_or_else(|| err(format!("-m {v}: not a memory size")))?;
            }
            "-smp" => {
                let v = value()?;
                let o = Opts::parse(&v);
                let n = o.first.as_deref().or(o.get("cpus")).unwrap_or("1");
                ncpu = n
                    .parse()
                    .map_err(|_| err(format!("-smp {v}: not a CPU count")))?;
                if let Some(k) = o.unknown_key(&["cpus", "maxcpus", "sockets", "cores", "threads"])
                {
                    return Err(err(format!("-smp: property '{k}' is not supported")));
                }
            }
            "-kernel" => kernel = Some(PathBuf::from(value()?)),
            "-initrd" => initrd = Some(PathBuf::from(value()?)),
            "-append" => cmdline = value()?,
            "-drive" => {
                let v = value()?;
                let o = Opts::parse(&v);
                if let Some(k) = o.unknown_key(&["file", "format", "if", "id", "readonly", "cache"])
                {
                    return Err(err(format!("-drive: property '{k}' is not supported")));
                }
                let file = o
                    .get("file")
                    .ok_or_else(|| err(format!("-drive {v}: no file=")))?;
                if o.get("if").unwrap_or("none") != "none" {
                    return Err(err(format!(
                        "-drive {v}: only if=none is implemented (add -device virtio-blk-device,drive=ID)"
                    )));
                }
                let id = o
                    .get("id")
                    .ok_or_else(|| err(format!("-drive {v}: no id=")))?;
                let read_only = match o.get("readonly") {
                    None => false,
                    Some(b) => parse_bool(b)
                        .ok_or_else(|| err(format!("-drive: readonly={b} is not on/off")))?,
                };
                drives.insert(
                    id.to_string(),
                    Drive {
                        path: file.into(),
                        format: o.get("format").map(str::to_string),
                        read_only,
                    },
                );
            }
            "-device" => {
                let v = value()?;
                let o = Opts::parse(&v);
                match o.first.as_deref().or(o.get("driver")) {
                    Some("virtio-blk-device") => {
                        let id = o
                            .get("drive")
                            .ok_or_else(|| err("-device virtio-blk-device: no drive="))?;
                        let d = drives.get(id).ok_or_else(|| {
                            err(format!("-device virtio-blk-device: no -drive with id={id}"))
                        })?;
                        disks.push(DiskConfig {
                            id: id.to_string(),
                            path: d.path.clone(),
                            format: d.format.clone(),
                            read_only: d.read_only,
                        });
                    }
                    Some("virtio-net-device") => {
                        let id = o
                            .get("netdev")
                            .ok_or_else(|| err("-device virtio-net-device: no netdev="))?;
                        let ifname = netdevs.get(id).ok_or_else(|| {
                            err(format!(
                                "-device virtio-net-device: no -netdev with id={id}"
                            ))
                        })?;
                        let mac = match o.get("mac") {
                            Some(m) => parse_mac(m).ok_or_else(|| {
                                err(format!("-device virtio-net-device: mac={m}"))
                            })?,
                            // QEMU's default, the last byte counting devices.
                            None => [0x52, 0x54, 0, 0x12, 0x34, 0x56 + nets.len() as u8],
                        };
                        nets.push(NetConfig {
                            ifname: ifname.clone(),
                            mac,
                        });
                    }
                    Some("virtio-serial-device") => virtio_serial = true,
                    Some("virtconsole") => {
                        if !virtio_serial {
                            return Err(err(
                                "-device virtconsole: add -device virtio-serial-device first",
                            ));
                        }
                        let id = o
                            .get("chardev")
                            .ok_or_else(|| err("-device virtconsole: no chardev="))?;
                        let out = chardevs.get(id).ok_or_else(|| {
                            err(format!("-device virtconsole: no -chardev with id={id}"))
                        })?;
                        consoles.push(out.clone());
                    }
                    Some("virtio-rng-device") => rng = true,
                    Some(d) => {
                        return Err(err(format!("-device {d}: this device is not implemented")));
                    }
                    None => return Err(err("-device: no device named")),
                }
            }
            "-chardev" => {
                let v = value()?;
                let o = Opts::parse(&v);
                if let Some(k) = o.unknown_key(&["id", "path", "signal"]) {
                    return Err(err(format!("-chardev: property '{k}' is not supported")));
                }
                let out = match (o.first.as_deref(), o.get("path")) {
                    (Some("stdio"), _) => SerialOut::Stdio,
                    (Some("null"), _) => SerialOut::Null,
                    (Some("file"), Some(p)) => SerialOut::File(p.into()),
                    (Some("file"), None) => return Err(err("-chardev file: no path=")),
                    (Some(b), _) => {
                        return Err(err(format!(
                            "-chardev {b}: only stdio, null and file are implemented"
                        )));
                    }
                    (None, _) => return Err(err("-chardev: no backend named")),
                };
                let id = o
                    .get("id")
                    .ok_or_else(|| err(format!("-chardev {v}: no id=")))?;
                chardevs.insert(id.to_string(), out);
            }
            "-serial" => {
                let v = value()?;
                serial = match v.as_str() {
                    "stdio" | "mon:stdio" => SerialOut::Stdio,
                    "null" | "none" => SerialOut::Null,
                    f if f.starts_with("file:") => SerialOut::File(f[5..].into()),
                    _ => {
                        return Err(err(format!(
                            "-serial {v}: only stdio, null, none and file:PATH are implemented"
                        )));
                    }
                };
            }
            "-display" => {
                let v = value()?;
                if v != "none" {
                    return Err(err(format!(
                        "-display {v}: only -display none is implemented"
                    )));
                }
            }
            "-nographic" | "-nodefaults" => {}
            "-no-reboot" => no_reboot = true,
            "-netdev" => {
                let v = value()?;
                let o = Opts::parse(&v);
                match o.first.as_deref() {
                    Some("tap") => {}
                    Some(t) => return Err(err(format!("-netdev {t}: only tap is implemented"))),
                    None => return Err(err("-netdev: no backend named")),
                }
                if let Some(k) = o.unknown_key(&["id", "ifname", "script", "downscript", "vhost"]) {
                    return Err(err(format!("-netdev tap: property '{k}' is not supported")));
                }
                for k in ["script", "downscript"] {
                    if o.get(k).is_some_and(|s| s != "no") {
                        return Err(err(format!("-netdev tap: only {k}=no is implemented")));
                    }
                }
                if o.get("vhost").and_then(parse_bool) == Some(true) {
                    return Err(err("-netdev tap: vhost is not implemented"));
                }
                let id = o
                    .get("id")
                    .ok_or_else(|| err(format!("-netdev {v}: no id=")))?;
                netdevs.insert(id.to_string(), o.get("ifname").map(str::to_string));
            }
            "-nic" | "-net" => {
                return Err(err(format!(
                    "option {opt} is not implemented: use -netdev tap,id=ID -device virtio-net-device,netdev=ID"
                )));
            }
            _ if opt.starts_with('-') => return Err(err(format!("unsupported option: {opt}"))),
            _ => {
                return Err(err(format!(
                    "unexpected argument: {opt} (disk images need -drive)"
                )));
            }
        }
    }
    if !kvm {
        return Err(err(
            "x86-64 emulation without KVM is not implemented: add -accel kvm (or -enable-kvm)",
        ));
    }
    let kernel =
        kernel.ok_or_else(|| err("no -kernel given (there is no firmware to boot a disk)"))?;
    Ok(Action::Run(Box::new(Invocation {
        machine: MachineConfig {
            mem_size: mem,
            ncpu,
            kernel,
            initrd,
            cmdline,
            disks,
            nets,
            consoles,
            rng,
            serial,
        },
        no_reboot,
    })))
}

fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let parts: Vec<u8> = s
        .split(':')
        .map(|p| u8::from_str_radix(p, 16).ok().filter(|_| p.len() == 2))
        .collect::<Option<_>>()?;
    parts.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &str) -> Result<Invocation, String> {
        let v: Vec<String> = args.split_whitespace().map(String::from).collect();
        match parse(&v)? {
            Action::Run(i) => Ok(*i),
            Action::Print(_) => Err("printed".into()),
        }
    }

    #[test]
    fn a_full_command_line() {
        let i = run(
            "-M microvm,accel=kvm -m 256M -smp 2 -kernel k -initrd i -append x \
                     -drive file=d.img,format=raw,if=none,id=d0,readonly=on \
                     -device virtio-blk-device,drive=d0 -nographic -no-reboot",
        )
        .unwrap();
        assert_eq!(i.machine.mem_size, 256 << 20);
        assert_eq!(i.machine.ncpu, 2);
        assert_eq!(i.machine.disks.len(), 1);
        assert!(i.machine.disks[0].read_only);
        assert!(i.no_reboot);
    }

    #[test]
    fn virtio_console() {
        let i = run("-enable-kvm -kernel k -chardev file,id=c0,path=/tmp/x \
                     -device virtio-serial-device -device virtconsole,chardev=c0")
        .unwrap();
        assert_eq!(i.machine.consoles.len(), 1);
        assert!(run("-enable-kvm -kernel k -chardev socket,id=c0").is_err());
        assert!(
            run(
                "-enable-kvm -kernel k -device virtio-serial-device -device virtconsole,chardev=c9"
            )
            .is_err()
        );
    }

    #[test]
    fn tap_networking() {
        let i = run(
            "-enable-kvm -kernel k -netdev tap,id=n0,ifname=tap7,script=no,downscript=no \
                     -device virtio-net-device,netdev=n0,mac=02:00:00:00:00:01",
        )
        .unwrap();
        assert_eq!(i.machine.nets.len(), 1);
        assert_eq!(i.machine.nets[0].ifname.as_deref(), Some("tap7"));
        assert_eq!(i.machine.nets[0].mac, [2, 0, 0, 0, 0, 1]);
        assert!(
            run(
                "-enable-kvm -kernel k -netdev tap,id=n0 -device virtio-net-device,netdev=n0,mac=zz"
            )
            .is_err()
        );
    }

    #[test]
    fn errors_name_the_option() {
        assert!(
            run("-enable-kvm -kernel k -frobnicate")
                .unwrap_err()
                .contains("-frobnicate")
        );
        assert!(run("-kernel k").unwrap_err().contains("-accel kvm"));
        assert!(
            run("-enable-kvm -kernel k -M q35")
                .unwrap_err()
                .contains("q35")
        );
        assert!(
            run("-enable-kvm -kernel k -m lots")
                .unwrap_err()
                .contains("lots")
        );
        assert!(
            run("-enable-kvm -kernel k -device virtio-blk-device,drive=x")
                .unwrap_err()
                .contains("id=x")
        );
        assert!(
            run("-enable-kvm -kernel k -netdev user,id=n")
                .unwrap_err()
                .contains("-netdev user")
        );
        assert!(
            run("-enable-kvm -kernel k -device virtio-net-device,netdev=n")
                .unwrap_err()
                .contains("id=n")
        );
        assert!(
            run("-enable-kvm -kernel")
                .unwrap_err()
                .contains("needs an argument")
        );
    }
}
