//! Writes one generated program to a file.
//!
//! `cargo run -p oxemu-rvgen --example rvgen -- SEED LEN OUT [--garbage]`

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let garbage = args.iter().any(|a| a == "--garbage");
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let [seed, len, out] = positional.as_slice() else {
        eprintln!("usage: rvgen SEED LEN OUT [--garbage]");
        return ExitCode::from(2);
    };
    let (Ok(seed), Ok(len)) = (seed.parse::<u64>(), len.parse::<usize>()) else {
        eprintln!("rvgen: SEED and LEN must be unsigned integers");
        return ExitCode::from(2);
    };
    let elf = if garbage {
        oxemu_rvgen::generate_garbage(seed, len)
    } else {
        oxemu_rvgen::generate(seed, len, &oxemu_rvgen::GenOptions::default())
    };
    if let Err(e) = write_executable(out, &elf) {
        eprintln!("rvgen: {out}: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn write_executable(path: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}
