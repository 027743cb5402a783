//! Number formats of qemu-img's human-readable output.

/// A size as qemu prints it: three significant digits and a binary unit ("332 KiB",
/// "1.5 GiB", "0 B").
pub fn size_to_str(v: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    // The next unit once the number would reach 1000 ("0.999 KiB", not "1023 B").
    let mut i = 0;
    while i < 6 && v as f64 >= 1000.0 * (1u64 << (10 * i)) as f64 {
        i += 1;
    }
    let x = v as f64 / (1u64 << (10 * i)) as f64;
    format!("{} {}", fmt_g3(x), UNITS[i])
}

/// printf("%0.3g").
pub fn fmt_g3(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let digits = x.abs().log10().floor() as i32 + 1;
    let decimals = (3 - digits).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A UTC calendar time "YYYY-MM-DD HH:MM:SS" from seconds since the epoch.
pub fn date(secs: u64) -> String {
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    // Civil-from-days (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// A guest clock "HH:MM:SS.mmm" from nanoseconds.
pub fn clock(nsec: u64) -> String {
    let ms = nsec / 1_000_000;
    let s = ms / 1000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qemu_formats() {
        assert_eq!(size_to_str(0), "0 B");
        assert_eq!(size_to_str(331_776), "324 KiB");
        assert_eq!(size_to_str(4 << 20), "4 MiB");
        assert_eq!(size_to_str(3 << 29), "1.5 GiB");
        assert_eq!(size_to_str(10_240_000), "9.77 MiB");
        assert_eq!(size_to_str(1023), "0.999 KiB");
        assert_eq!(date(1_796_231_029), "2026-12-02 17:03:49");
        assert_eq!(clock(3_723_004_000_000), "01:02:03.004");
    }
}
