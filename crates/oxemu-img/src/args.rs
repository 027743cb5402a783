//! getopt-style parsing of qemu-img command lines: `-f fmt`, `-ffmt`, grouped flags
//! (`-qp`), `--long=value` / `--long value`, and `--` ending the options.

use anyhow::{Result, bail};

/// Parsed options of one subcommand.
#[derive(Default, Debug)]
pub struct Args {
    opts: Vec<(String, Option<String>)>,
    /// Positional arguments.
    pub rest: Vec<String>,
}

impl Args {
    /// Parses `argv` with `short` in getopt syntax ("f:O:cq": ':' = takes a value) and
    /// `long` names (suffix '=' = takes a value). An option not listed is an error
    /// naming it.
    pub fn parse(argv: &[String], short: &str, long: &[&str]) -> Result<Args> {
        let mut a = Args::default();
        let takes = |c: char| {
            short
                .find(c)
                .map(|i| short[i + c.len_utf8()..].starts_with(':'))
        };
        let mut i = 0;
        while i < argv.len() {
            let s = &argv[i];
            i += 1;
            if s == "--" {
                a.rest.extend(argv[i..].iter().cloned());
                break;
            }
            if let Some(l) = s.strip_prefix("--") {
                let (name, inline) = match l.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (l, None),
                };
                let Some(spec) = long.iter().find(|x| x.trim_end_matches('=') == name) else {
                    bail!("unrecognized option '--{name}'");
                };
                let val = if spec.ends_with('=') {
                    match inline {
                        Some(v) => Some(v),
                        None if i < argv.len() => {
                            i += 1;
                            Some(argv[i - 1].clone())
                        }
                        None => bail!("option '--{name}' requires an argument"),
                    }
                } else {
                    if inline.is_some() {
                        bail!("option '--{name}' doesn't allow an argument");
                    }
                    None
                };
                a.opts.push((name.to_string(), val));
                continue;
            }
            if s.len() > 1 && s.starts_with('-') {
                let chars: Vec<char> = s[1..].chars().collect();
                let mut j = 0;
                while j < chars.len() {
                    let c = chars[j];
                    j += 1;
                    match takes(c) {
                        None => bail!("invalid option -- '{c}'"),
                        Some(false) => a.opts.push((c.to_string(), None)),
                        Some(true) => {
                            let v: String = chars[j..].iter().collect();
                            let v = if !v.is_empty() {
                                v
                            } else if i < argv.len() {
                                i += 1;
                                argv[i - 1].clone()
                            } else {
                                bail!("option requires an argument -- '{c}'");
                            };
                            a.opts.push((c.to_string(), Some(v)));
                            break;
                        }
                    }
                }
                continue;
            }
            a.rest.push(s.clone());
        }
        Ok(a)
    }

    /// Whether flag `name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.opts.iter().any(|(n, _)| n == name)
    }

    /// The last value of option `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.opts
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Every value of option `name`, in order (for repeated `-o`).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.opts
            .iter()
            .filter(|(n, _)| n == name)
            .filter_map(|(_, v)| v.as_deref())
            .collect()
    }
}

/// Parses a size as qemu-img does: bytes, or a number with a k/M/G/T/P/E suffix
/// (powers of 1024; fractions allowed, as in "1.5G").
pub fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let (num, mul) = match t.chars().last() {
        Some(c) if c.is_ascii_alphabetic() => {
            let m: u64 = match c.to_ascii_lowercase() {
                'b' => 1,
                'k' => 1 << 10,
                'm' => 1 << 20,
                'g' => 1 << 30,
                't' => 1 << 40,
                'p' => 1 << 50,
                'e' => 1 << 60,
                _ => bail!("invalid size '{s}'"),
            };
            (&t[..t.len() - 1], m)
        }
        _ => (t, 1),
    };
    if let Ok(v) = num.parse::<u64>() {
        return v
            .checked_mul(mul)
            .ok_or_else(|| anyhow::anyhow!("size '{s}' is too large"));
    }
    let f: f64 = num
        .parse()
        .map_err(|_| anyhow::anyhow!("invalid size '{s}'"))?;
    if f.is_nan() || f < 0.0 || f * mul as f64 >= 2f64.powi(63) {
        bail!("invalid size '{s}'");
    }
    Ok((f * mul as f64) as u64)
}

/// Splits `-o key=value,key=value` (",," escapes a comma in a value).
pub fn parse_opts(list: &[&str]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for s in list {
        let mut cur = String::new();
        let mut parts = Vec::new();
        let mut it = s.chars().peekable();
        while let Some(c) = it.next() {
            if c == ',' {
                if it.peek() == Some(&',') {
                    it.next();
                    cur.push(',');
                } else {
                    parts.push(std::mem::take(&mut cur));
                }
            } else {
                cur.push(c);
            }
        }
        parts.push(cur);
        for p in parts.into_iter().filter(|p| !p.is_empty()) {
            match p.split_once('=') {
                Some((k, v)) => out.push((k.to_string(), v.to_string())),
                None => out.push((p, "on".to_string())),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn getopt_forms() {
        let a = Args::parse(
            &v(&["-fqcow2", "-qp", "-O", "raw", "--output=json", "a", "b"]),
            "f:O:qp",
            &["output="],
        )
        .unwrap();
        assert_eq!(a.get("f"), Some("qcow2"));
        assert_eq!(a.get("O"), Some("raw"));
        assert!(a.flag("q") && a.flag("p"));
        assert_eq!(a.get("output"), Some("json"));
        assert_eq!(a.rest, v(&["a", "b"]));
        assert!(
            Args::parse(&v(&["-z"]), "f:", &[])
                .unwrap_err()
                .to_string()
                .contains("'z'")
        );
    }

    #[test]
    fn sizes_and_opts() {
        assert_eq!(parse_size("512").unwrap(), 512);
        assert_eq!(parse_size("64k").unwrap(), 65536);
        assert_eq!(parse_size("1.5G").unwrap(), 3 << 29);
        assert!(parse_size("12x").is_err());
        let o = parse_opts(&["cluster_size=4k,lazy_refcounts=on", "backing_file=a,,b"]).unwrap();
        assert_eq!(o[2], ("backing_file".to_string(), "a,b".to_string()));
    }
}
