//! The KVM backend: /dev/kvm through kvm-ioctls.

mod convert;
mod vcpu;
mod vm;

pub use vcpu::KvmVcpu;
pub use vm::KvmVm;

use crate::x86::CpuidEntry;
use crate::{Error, Hypervisor, Result, Vm};
use kvm_ioctls::Kvm;

/// Where the KVM device lives.
pub const KVM_PATH: &str = "/dev/kvm";

/// An open /dev/kvm.
pub struct KvmHypervisor {
    kvm: Kvm,
}

impl KvmHypervisor {
    /// Opens /dev/kvm and checks the API version and the capabilities we rely on.
    pub fn new() -> Result<Self> {
        Self::open(KVM_PATH)
    }

    /// Opens the KVM device at `path` (another node or a test double of /dev/kvm).
    pub fn open(path: &str) -> Result<Self> {
        let open_err = |source: std::io::Error| Error::Open {
            path: path.into(),
            source,
        };
        let cpath = std::ffi::CString::new(path)
            .map_err(|_| open_err(std::io::ErrorKind::InvalidInput.into()))?;
        let kvm = Kvm::new_with_path(cpath.as_c_str()).map_err(|e| open_err(e.into()))?;
        if kvm.get_api_version() != 12 {
            return Err(Error::Unsupported("KVM API version 12"));
        }
        for (cap, what) in [
            (kvm_ioctls::Cap::Irqchip, "an in-kernel irqchip"),
            (kvm_ioctls::Cap::UserMemory, "user memory regions"),
            (kvm_ioctls::Cap::Pit2, "an in-kernel PIT"),
        ] {
            if !kvm.check_extension(cap) {
                return Err(Error::Unsupported(what));
            }
        }
        Ok(KvmHypervisor { kvm })
    }
}

impl Hypervisor for KvmHypervisor {
    fn create_vm(&self) -> Result<Box<dyn Vm>> {
        let fd = self.kvm.create_vm().map_err(|e| call("KVM_CREATE_VM", e))?;
        Ok(Box::new(KvmVm::new(fd)))
    }

    fn supported_cpuid(&self) -> Result<Vec<CpuidEntry>> {
        let cpuid = self
            .kvm
            .get_supported_cpuid(kvm_bindings::KVM_MAX_CPUID_ENTRIES)
            .map_err(|e| call("KVM_GET_SUPPORTED_CPUID", e))?;
        Ok(cpuid
            .as_slice()
            .iter()
            .map(convert::cpuid_from_kvm)
            .collect())
    }

    fn max_vcpus(&self) -> usize {
        self.kvm.get_max_vcpus()
    }
}

fn call(op: &'static str, e: vmm_sys_util::errno::Error) -> Error {
    Error::Call {
        op,
        source: e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_wrong_device_is_a_clear_error() {
        let e = KvmHypervisor::open("/nonexistent/kvm").err().unwrap();
        assert_eq!(e.to_string(), "cannot open /nonexistent/kvm");
        let src = std::error::Error::source(&e).unwrap().to_string();
        assert!(src.contains("No such file"), "{src}");
        // Not a KVM device: the API version ioctl fails.
        assert!(KvmHypervisor::open("/dev/null").is_err());
    }
}
