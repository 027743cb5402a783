//! virtio-net over a TAP interface, inside a private network namespace: the
//! guest ARPs for the host side of the TAP and must get its MAC back.

mod common;
use common::*;
use std::path::Path;
use std::time::Duration;

#[test]
fn arp_over_tap_in_a_network_namespace() {
    if skip_without_kvm("arp_over_tap_in_a_network_namespace") {
        return;
    }
    for tool in ["/usr/bin/unshare", "/usr/sbin/ip", "/bin/sh"] {
        if !Path::new(tool).exists() {
            eprintln!("skipping arp_over_tap_in_a_network_namespace: {tool} is missing");
            return;
        }
    }
    // oxemu creates the TAP; once it exists the host side gets its address, and
    // the guest's retried ARP requests are answered by the namespace's stack.
    // /sys still shows the parent namespace after unshare -n: ask ip(8).
    let script = format!(
        r#"{bin} -accel kvm -kernel {k} -append oxtest=net -nographic \
             -netdev tap,id=n0,ifname=oxtap0,script=no,downscript=no \
             -device virtio-net-device,netdev=n0,mac=02:0e:00:00:00:07 &
           for i in $(seq 250); do
             m=$(ip -o link show oxtap0 2>/dev/null | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
             [ -n "$m" ] && break
             sleep 0.02
           done
           ip addr add 10.0.2.2/24 dev oxtap0 && ip link set oxtap0 up
           echo HOST-MAC=$m >&2
           wait $!"#,
        bin = bin().display(),
        k = guest("oxtest-pvh.elf"),
    );
    let probe = run_cmd(
        Path::new("/usr/bin/unshare"),
        &["-n", "true"],
        Duration::from_secs(10),
    );
    if probe.status != Some(0) {
        eprintln!(
            "skipping arp_over_tap_in_a_network_namespace: cannot make a network namespace: {}",
            probe.stderr.trim()
        );
        return;
    }
    let r = run_cmd(
        Path::new("/usr/bin/unshare"),
        &["-n", "/bin/sh", "-c", &script],
        Duration::from_secs(30),
    );
    let out = &r.stdout;
    assert_eq!(r.status, Some(0), "{out}\n{}", r.stderr);
    assert!(out.contains("OXTEST net mac=02:0e:00:00:00:07"), "{out}");
    // The host side reports on stderr so that it cannot interleave with the guest.
    let host_mac = r
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("HOST-MAC="))
        .unwrap_or_else(|| panic!("no host MAC: {out}\n{}", r.stderr));
    assert!(
        out.contains(&format!(
            "OXTEST net arp-reply from 10.0.2.2 mac={host_mac}"
        )),
        "{out}"
    );
}
