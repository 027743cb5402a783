//! Tier 1 of the oxemu translator: a hot region of IR blocks (a loop and the blocks
//! it reaches) compiled by Cranelift into one function, with guest registers kept in
//! host registers across the whole region.
//!
//! The output is position-independent machine code implementing
//! `extern "C" fn(state, guest_base) -> exit code` (the exit codes of
//! [`oxemu_dbt_x64::exit_code`]); `oxemu-dbt-exec` places it in its code buffer and
//! publishes it. Helpers are called through absolute addresses held in registers, so
//! the code carries no relocations.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod arith;
mod dirty;
mod lower;

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{Function, UserFuncName};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::{Context, verify_function};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use oxemu_dbt_ir::Block;
use oxemu_dbt_ir::desc::GuestDesc;

pub use lower::LowerError;

/// Why tier 1 could not produce code.
#[derive(Debug, thiserror::Error)]
pub enum Tier1Error {
    /// The host is not supported by Cranelift.
    #[error("host not supported by Cranelift: {0}")]
    Host(String),
    /// The region has nothing to compile.
    #[error("empty region")]
    Empty,
    /// The region cannot be lowered.
    #[error(transparent)]
    Lower(#[from] LowerError),
    /// Cranelift rejected the function (an internal error).
    #[error("Cranelift: {0}")]
    Codegen(String),
    /// The code needs relocations, which the code buffer cannot apply.
    #[error("compiled region needs relocations")]
    Relocations,
}

/// A Cranelift code generator for the host, configured for speed.
pub struct RegionCompiler {
    isa: OwnedTargetIsa,
    verify: bool,
    fma: bool,
}

impl RegionCompiler {
    /// A compiler for the host CPU. `verify` runs Cranelift's IR verifier on every
    /// function (tests).
    pub fn new(verify: bool) -> Result<RegionCompiler, Tier1Error> {
        let mut flags = settings::builder();
        let set = |f: &mut settings::Builder, k: &str, v: &str| {
            f.set(k, v)
                .map_err(|e| Tier1Error::Host(format!("setting {k}={v}: {e}")))
        };
        set(&mut flags, "opt_level", "speed")?;
        set(&mut flags, "enable_verifier", "false")?;
        set(&mut flags, "enable_probestack", "false")?;
        set(&mut flags, "unwind_info", "false")?;
        let isa = cranelift_native::builder()
            .map_err(|e| Tier1Error::Host(e.to_string()))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| Tier1Error::Host(e.to_string()))?;
        let fma = isa
            .isa_flags()
            .iter()
            .any(|f| f.name == "has_fma" && f.as_bool() == Some(true));
        Ok(RegionCompiler { isa, verify, fma })
    }

    /// Compiles `blocks` (the region's entry first) to machine code. A block tier 1
    /// cannot handle is left out of the region (control leaves to tier 0 there),
    /// unless it is the entry.
    pub fn compile<S>(&self, blocks: &[Block], desc: &GuestDesc<S>) -> Result<Vec<u8>, Tier1Error> {
        let mut blocks = blocks.to_vec();
        loop {
            match self.compile_exactly(&blocks, desc) {
                Err(Tier1Error::Lower(LowerError::Unsupported { block, .. })) if block > 0 => {
                    blocks.remove(block);
                }
                result => return result,
            }
        }
    }

    fn compile_exactly<S>(
        &self,
        blocks: &[Block],
        desc: &GuestDesc<S>,
    ) -> Result<Vec<u8>, Tier1Error> {
        if blocks.is_empty() {
            return Err(Tier1Error::Empty);
        }
        let mut func =
            Function::with_name_signature(UserFuncName::default(), lower::region_signature());
        let mut fctx = FunctionBuilderContext::new();
        let builder = FunctionBuilder::new(&mut func, &mut fctx);
        let builder = lower::Lowering::lower(builder, blocks, desc, self.fma)?;
        builder.finalize(self.isa.frontend_config());
        if self.verify {
            verify_function(&func, self.isa.flags())
                .map_err(|e| Tier1Error::Codegen(e.to_string()))?;
        }
        if std::env::var_os("OXEMU_CLIF_DUMP").is_some() {
            eprintln!("{}", func.display());
        }
        let mut ctx = Context::for_function(func);
        let code = ctx
            .compile(&*self.isa, &mut ControlPlane::default())
            .map_err(|e| Tier1Error::Codegen(format!("{:?}", e.inner)))?;
        if !code.buffer.relocs().is_empty() {
            return Err(Tier1Error::Relocations);
        }
        Ok(code.code_buffer().to_vec())
    }
}
