//! Board wiring: guest memory, interrupt controllers, devices on their buses,
//! and the vCPU threads.

use crate::boot::{self, RamLayout};
use crate::layout::*;
use crate::vcpu_loop::{self, VcpuContext};
use crate::{MachineError, Outcome, cpu, mptable};
use oxemu_devices::{Bus, GedPower, I8042, Interrupt, PlatformEvents, Serial};
use oxemu_hypervisor::{Hypervisor, Vm};
use oxemu_virtio::MmioTransport;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

/// A disk on a virtio-blk device.
#[derive(Debug, Clone)]
pub struct DiskConfig {
    /// The -drive id.
    pub id: String,
    /// Image file.
    pub path: PathBuf,
    /// Image format, or None to probe.
    pub format: Option<String>,
    /// Refuse guest writes.
    pub read_only: bool,
}

/// A virtio-net device on a TAP interface.
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// TAP interface to create, or None for the next free tapN.
    pub ifname: Option<String>,
    /// The guest's MAC address.
    pub mac: [u8; 6],
}

/// Where the UART's output goes.
#[derive(Debug, Clone)]
pub enum SerialOut {
    /// This process's stdout (and stdin as input).
    Stdio,
    /// Nowhere.
    Null,
    /// A file, created or truncated.
    File(PathBuf),
}

/// Everything a microvm is made of.
#[derive(Debug, Clone)]
pub struct MachineConfig {
    /// Guest RAM in bytes.
    pub mem_size: u64,
    /// Number of vCPUs.
    pub ncpu: u32,
    /// bzImage or PVH ELF kernel.
    pub kernel: PathBuf,
    /// Initial ramdisk.
    pub initrd: Option<PathBuf>,
    /// Kernel command line.
    pub cmdline: String,
    /// virtio-blk disks, in transport order.
    pub disks: Vec<DiskConfig>,
    /// virtio-net devices, after the disks.
    pub nets: Vec<NetConfig>,
    /// virtio-console ports after the network devices: where each one's output goes.
    pub consoles: Vec<SerialOut>,
    /// Add a virtio-rng device last.
    pub rng: bool,
    /// UART output.
    pub serial: SerialOut,
}

/// Smallest guest RAM that holds the boot structures and a kernel at 1 MiB.
pub const MIN_MEM: u64 = 2 << 20;

/// A running machine; dropping it leaves the vCPU threads to the process exit.
pub struct Machine {
    _vm: Arc<dyn Vm>,
}

/// A GSI of the VM as a device interrupt line.
struct GsiLine {
    vm: Arc<dyn Vm>,
    gsi: u32,
}

impl Interrupt for GsiLine {
    fn set_level(&self, level: bool) {
        // KVM_IRQ_LINE fails only for a GSI without a route, which we never use.
        let _ = self.vm.set_irq_line(self.gsi, level);
    }
}

/// Platform events as run outcomes.
struct Events(Mutex<Sender<Outcome>>);

impl PlatformEvents for Events {
    fn power_off(&self) {
        let _ = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(Outcome::PowerOff);
    }
    fn reset(&self) {
        let _ = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(Outcome::Reset);
    }
}

fn host_mem_bytes() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

fn check(cfg: &MachineConfig, hv: &dyn Hypervisor) -> Result<(), MachineError> {
    let max_cpus = hv.max_vcpus().min(254) as u32;
    if cfg.ncpu == 0 || cfg.ncpu > max_cpus {
        return Err(MachineError::Config(format!(
            "-smp {}: this host supports 1 to {max_cpus} vCPUs",
            cfg.ncpu
        )));
    }
    if cfg.mem_size < MIN_MEM {
        return Err(MachineError::Config(format!(
            "-m {} MiB: the microvm needs at least {} MiB",
            cfg.mem_size >> 20,
            MIN_MEM >> 20
        )));
    }
    if let Some(host) = host_mem_bytes()
        && cfg.mem_size > host
    {
        return Err(MachineError::Config(format!(
            "-m {} MiB is more than this host's {} MiB of RAM",
            cfg.mem_size >> 20,
            host >> 20
        )));
    }
    let devices = cfg.disks.len() + cfg.nets.len() + cfg.consoles.len() + usize::from(cfg.rng);
    if devices > VIRTIO_MMIO_COUNT {
        return Err(MachineError::Config(format!(
            "{devices} virtio devices: the microvm has {VIRTIO_MMIO_COUNT} virtio-mmio slots"
        )));
    }
    Ok(())
}

fn serial_writer(out: &SerialOut) -> Result<Box<dyn Write + Send>, MachineError> {
    Ok(match out {
        SerialOut::Stdio => Box::new(std::io::stdout()),
        SerialOut::Null => Box::new(std::io::sink()),
        SerialOut::File(p) => Box::new(
            std::fs::File::create(p)
                .map_err(|e| MachineError::Config(format!("-serial file:{}: {e}", p.display())))?,
        ),
    })
}

/// Builds the machine and starts its vCPUs; outcomes arrive on `events`.
pub fn build(
    hv: &dyn Hypervisor,
    cfg: &MachineConfig,
    events: Sender<Outcome>,
) -> Result<Machine, MachineError> {
    check(cfg, hv)?;
    let ram = RamLayout::new(cfg.mem_size);
    let mut ranges = vec![(GuestAddress(0), ram.low_end as usize)];
    if ram.high_size > 0 {
        ranges.push((GuestAddress(HIGH_RAM_START), ram.high_size as usize));
    }
    let mem = Arc::new(GuestMemoryMmap::from_ranges(&ranges).map_err(|e| {
        MachineError::Config(format!(
            "cannot map {} MiB of guest RAM: {e}",
            cfg.mem_size >> 20
        ))
    })?);
    let vm: Arc<dyn Vm> = Arc::from(hv.create_vm()?);
    vm.set_memory(mem.clone())?;
    vm.create_irqchip()?;
    vm.create_pit()?;

    let sink: Arc<dyn PlatformEvents> = Arc::new(Events(Mutex::new(events.clone())));
    let line = |gsi| -> Arc<dyn Interrupt> {
        Arc::new(GsiLine {
            vm: vm.clone(),
            gsi,
        })
    };
    let mut pio = Bus::new();
    let mut mmio = Bus::new();
    let serial = Arc::new(Mutex::new(Serial::new(
        line(COM1_IRQ),
        serial_writer(&cfg.serial)?,
    )));
    let bus_err = |e: oxemu_devices::BusError| MachineError::Config(e.to_string());
    pio.insert(COM1_PORT, 8, serial.clone()).map_err(bus_err)?;
    pio.insert(
        I8042_PORT,
        5,
        Arc::new(Mutex::new(I8042::new(sink.clone()))),
    )
    .map_err(bus_err)?;
    mmio.insert(GED_REGS, 4, Arc::new(Mutex::new(GedPower::new(sink))))
        .map_err(bus_err)?;

    let mut cmdline = cfg.cmdline.clone();
    let mut slot = 0u64;
    let mut add = |dev: Box<dyn oxemu_virtio::VirtioDevice>, cmdline: &mut String| {
        let base = VIRTIO_MMIO_BASE + slot * VIRTIO_MMIO_SIZE;
        let gsi = VIRTIO_IRQ_BASE + slot as u32;
        let t = MmioTransport::new(dev, mem.clone(), line(gsi));
        slot += 1;
        // For kernels with VIRTIO_MMIO_CMDLINE_DEVICES, as QEMU's microvm does.
        *cmdline += &format!(" virtio_mmio.device=512@{base:#x}:{gsi}");
        let t = Arc::new(Mutex::new(t));
        mmio.insert(base, VIRTIO_MMIO_SIZE, t.clone()).map(|()| t)
    };
    for d in &cfg.disks {
        let backend = oxemu_block::open_image(&d.path, d.format.as_deref(), d.read_only).map_err(
            |source| MachineError::Disk {
                id: d.id.clone(),
                source,
            },
        )?;
        let blk = oxemu_virtio::blk::Block::new(backend, d.read_only, &d.id);
        add(Box::new(blk), &mut cmdline).map_err(bus_err)?;
    }
    for n in &cfg.nets {
        let what = n.ifname.as_deref().unwrap_or("(new)");
        let tap = oxemu_virtio::net::Tap::open(n.ifname.as_deref())
            .map_err(|e| MachineError::Config(format!("-netdev tap,ifname={what}: {e}")))?;
        let backend: Arc<dyn oxemu_virtio::net::NetBackend> = Arc::new(tap);
        let rx = oxemu_virtio::net::RxBacklog::default();
        let net = oxemu_virtio::net::Net::new(backend.clone(), n.mac, rx.clone());
        let t = add(Box::new(net), &mut cmdline).map_err(bus_err)?;
        oxemu_virtio::net::spawn_receiver(backend, rx, move || {
            t.lock().unwrap_or_else(|e| e.into_inner()).kick(0);
        })
        .map_err(|e| MachineError::Config(format!("cannot start the network thread: {e}")))?;
    }
    for out in &cfg.consoles {
        let console = oxemu_virtio::console::Console::new(serial_writer(out)?);
        add(Box::new(console), &mut cmdline).map_err(bus_err)?;
    }
    if cfg.rng {
        let rng = oxemu_virtio::rng::Rng::new()
            .map_err(|e| MachineError::Config(format!("virtio-rng: /dev/urandom: {e}")))?;
        add(Box::new(rng), &mut cmdline).map_err(bus_err)?;
    }

    let loaded = boot::load(
        &mem,
        &ram,
        &cfg.kernel,
        cfg.initrd.as_deref(),
        cmdline.trim(),
    )?;
    let table = mptable::build(MPTABLE_START, cfg.ncpu as u8);
    mem.write_slice(&table, GuestAddress(MPTABLE_START))
        .map_err(|e| MachineError::Config(format!("MP table: {e}")))?;
    cpu::write_tables(&mem, loaded.entry).map_err(MachineError::Config)?;

    let supported = hv.supported_cpuid()?;
    let mut vcpus = Vec::new();
    for id in 0..cfg.ncpu {
        let mut vcpu = vm.create_vcpu(id)?;
        vcpu.set_cpuid(&cpu::cpuid(&supported, id, cfg.ncpu))?;
        vcpu.set_msrs(&cpu::boot_msrs())?;
        vcpu.set_lint_virtual_wire()?;
        if id == 0 {
            cpu::set_boot_state(&mut *vcpu, loaded.entry)?;
        }
        vcpus.push(vcpu);
    }
    if matches!(cfg.serial, SerialOut::Stdio) {
        spawn_stdin(serial);
    }
    for (id, vcpu) in vcpus.into_iter().enumerate() {
        let ctx = VcpuContext {
            id: id as u32,
            pio: pio.clone(),
            mmio: mmio.clone(),
            mem: mem.clone(),
            events: events.clone(),
        };
        std::thread::Builder::new()
            .name(format!("vcpu{id}"))
            .spawn(move || vcpu_loop::run(vcpu, ctx))
            .map_err(|e| MachineError::Config(format!("cannot start a vCPU thread: {e}")))?;
    }
    Ok(Machine { _vm: vm })
}

/// Feeds stdin to the UART until EOF.
fn spawn_stdin(serial: Arc<Mutex<Serial>>) {
    let _ = std::thread::Builder::new()
        .name("serial-in".into())
        .spawn(move || {
            let mut buf = [0u8; 64];
            let mut stdin = std::io::stdin();
            while let Ok(n @ 1..) = stdin.read(&mut buf) {
                let mut rest = &buf[..n];
                while !rest.is_empty() {
                    let k = serial
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .enqueue_input(rest);
                    rest = &rest[k..];
                    if k == 0 {
                        std::thread::sleep(std::time::Duration::from_millis(5));
                    }
                }
            }
        });
}
