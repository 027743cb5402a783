//! QemuOpts-style option values: `first,key=value,key=value`.

/// A parsed option value: an optional leading bare value and key=value pairs.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// The first item when it has no `=` (e.g. `microvm` in `microvm,accel=kvm`).
    pub first: Option<String>,
    /// key=value pairs in order; `,,` is a literal comma.
    pub pairs: Vec<(String, String)>,
}

impl Opts {
    /// Parses `s`; `implied` names the key of a leading bare value, if any.
    pub fn parse(s: &str) -> Opts {
        let mut items = Vec::new();
        let mut cur = String::new();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ',' {
                if chars.peek() == Some(&',') {
                    chars.next();
                    cur.push(',');
                } else {
                    items.push(std::mem::take(&mut cur));
                }
            } else {
                cur.push(c);
            }
        }
        items.push(cur);
        let mut o = Opts::default();
        for (i, item) in items.into_iter().enumerate() {
            match item.split_once('=') {
                Some((k, v)) => o.pairs.push((k.to_string(), v.to_string())),
                None if i == 0 => o.first = Some(item),
                None => o.pairs.push((item, "on".to_string())),
            }
        }
        o
    }

    /// The value of `key`, if given.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The first key not in `known`, to report as unsupported.
    pub fn unknown_key(&self, known: &[&str]) -> Option<&str> {
        self.pairs
            .iter()
            .map(|(k, _)| k.as_str())
            .find(|k| !known.contains(k))
    }
}

/// QEMU's boolean spellings.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "on" | "yes" | "true" | "y" => Some(true),
        "off" | "no" | "false" | "n" => Some(false),
        _ => None,
    }
}

/// A size with an optional K/M/G/T suffix; `default_unit` applies without one
/// (QEMU's -m counts MiB).
pub fn parse_size(v: &str, default_unit: u64) -> Option<u64> {
    let v = v.trim();
    let (num, unit) = match v.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&v[..i], c.to_ascii_uppercase()),
        _ => (v, ' '),
    };
    let mult = match unit {
        ' ' => default_unit,
        'B' => 1,
        'K' => 1 << 10,
        'M' => 1 << 20,
        'G' => 1 << 30,
        'T' => 1 << 40,
        _ => return None,
    };
    let n: u64 = num.parse().ok()?;
    n.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qemu_opts() {
        let o = Opts::parse("microvm,accel=kvm,x-option-roms=off");
        assert_eq!(o.first.as_deref(), Some("microvm"));
        assert_eq!(o.get("accel"), Some("kvm"));
        assert_eq!(o.unknown_key(&["accel"]), Some("x-option-roms"));
        let o = Opts::parse("file=a,,b.img,if=none,readonly");
        assert_eq!(o.first, None);
        assert_eq!(o.get("file"), Some("a,b.img"));
        assert_eq!(o.get("readonly"), Some("on"));
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("256", 1 << 20), Some(256 << 20));
        assert_eq!(parse_size("1G", 1 << 20), Some(1 << 30));
        assert_eq!(parse_size("512m", 1 << 20), Some(512 << 20));
        assert_eq!(parse_size("99999999999T", 1), None);
        assert_eq!(parse_size("12Q", 1), None);
        assert_eq!(parse_size("", 1), None);
    }
}
