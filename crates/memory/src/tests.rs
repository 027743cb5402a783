//! Tests of the address space through its public API.

use super::*;

fn space() -> GuestSpace {
    GuestSpace::new(39).expect("reserve guest space")
}

const ANON: MapFlags = MapFlags::PRIVATE.union(MapFlags::ANONYMOUS);
const FIXED_ANON: MapFlags = ANON.union(MapFlags::FIXED);

#[test]
fn new_reserves_limit() {
    let s = space();
    assert_eq!(s.limit(), 1 << 39);
    assert_ne!(s.host_base(), 0);
    assert_eq!(s.page_prot(0x10000), Prot::NONE);
    assert!(matches!(GuestSpace::new(3), Err(MemError::BadVaBits(3))));
}

#[test]
fn anonymous_mapping_read_write() {
    let s = space();
    let a = s
        .mmap(0x40_0000, 0x2000, Prot::RW, FIXED_ANON, None, 0)
        .unwrap();
    assert_eq!(a, 0x40_0000);
    s.write(a + 0xffe, &[1, 2, 3, 4]).unwrap();
    let mut b = [0u8; 4];
    s.read(a + 0xffe, &mut b).unwrap();
    assert_eq!(b, [1, 2, 3, 4]);
    assert_eq!(s.load(a + 0xffe, 4).unwrap(), 0x0403_0201);
    s.store(a + 8, 8, 0x1122_3344_5566_7788).unwrap();
    assert_eq!(s.load(a + 8, 8).unwrap(), 0x1122_3344_5566_7788);
    assert_eq!(s.load(a + 9, 2).unwrap(), 0x6677);
    let f = s.read(a + 0x1ffe, &mut b).unwrap_err();
    assert_eq!(
        f,
        Fault {
            addr: a + 0x2000,
            kind: FaultKind::Unmapped,
            access: Access::Read
        }
    );
    assert!(s.fetch(a, 4).is_err());
}

#[test]
fn protection_faults_and_limit() {
    let s = space();
    let a = s
        .mmap(0x40_0000, 0x1000, Prot::R, FIXED_ANON, None, 0)
        .unwrap();
    assert_eq!(s.store(a, 1, 0).unwrap_err().kind, FaultKind::Protection);
    assert_eq!(
        s.load(u64::MAX - 2, 8).unwrap_err().kind,
        FaultKind::Unmapped
    );
    assert_eq!(s.load(s.limit(), 1).unwrap_err().kind, FaultKind::Unmapped);
    let mut big = [0u8; 16];
    assert!(s.read(u64::MAX - 4, &mut big).is_err());
}

#[test]
fn read_cstr_stops_at_nul_and_max() {
    let s = space();
    let a = s
        .mmap(0x40_0000, 0x1000, Prot::RW, FIXED_ANON, None, 0)
        .unwrap();
    s.write(a + 0xffa, b"hello\0").unwrap();
    assert_eq!(s.read_cstr(a + 0xffa, 100).unwrap(), b"hello");
    assert_eq!(s.read_cstr(a + 0xffa, 3).unwrap(), b"hel");
    s.write(a + 0xffa, b"hello!").unwrap();
    assert!(s.read_cstr(a + 0xffa, 100).is_err());
}

#[test]
fn mmap_search_hint_and_noreplace() {
    let s = space();
    let a = s.mmap(0, 0x3000, Prot::RW, ANON, None, 0).unwrap();
    assert!(a < s.mmap_base() && a.is_multiple_of(PAGE_SIZE));
    let b = s.mmap(0, 0x1000, Prot::RW, ANON, None, 0).unwrap();
    assert_eq!(b, a - 0x1000);
    assert_eq!(
        s.mmap(
            a,
            0x1000,
            Prot::RW,
            ANON | MapFlags::FIXED_NOREPLACE,
            None,
            0
        ),
        Err(Errno(libc::EEXIST))
    );
    let h = s
        .mmap(0x1234_5000, 0x1000, Prot::RW, ANON, None, 0)
        .unwrap();
    assert_eq!(h, 0x1234_5000);
    let c = s.mmap(a, 0x1000, Prot::RW, ANON, None, 0).unwrap();
    assert_ne!(c, a, "occupied hint is not honoured");
}

#[test]
fn mmap_argument_errors_match_linux() {
    let s = space();
    assert_eq!(
        s.mmap(0, 0x1000, Prot::RW, MapFlags::empty(), None, 0),
        Err(Errno(libc::EBADF))
    );
    assert_eq!(
        s.mmap(0, 0x1000, Prot::RW, MapFlags::ANONYMOUS, None, 0),
        Err(Errno(libc::EINVAL))
    );
    assert_eq!(
        s.mmap(0, 0, Prot::RW, ANON, None, 0),
        Err(Errno(libc::EINVAL))
    );
    assert_eq!(
        s.mmap(0x1001, 0x1000, Prot::RW, FIXED_ANON, None, 0),
        Err(Errno(libc::EINVAL))
    );
    assert_eq!(
        s.mmap(0, u64::MAX, Prot::RW, ANON, None, 0),
        Err(Errno(libc::ENOMEM))
    );
    assert_eq!(
        s.mmap(s.limit() - 0x1000, 0x2000, Prot::RW, FIXED_ANON, None, 0),
        Err(Errno(libc::ENOMEM))
    );
    assert_eq!(s.munmap(0x1001, 0x1000), Err(Errno(libc::EINVAL)));
    assert_eq!(s.munmap(0x1000, 0), Err(Errno(libc::EINVAL)));
}

#[test]
fn munmap_splits_and_reserves() {
    let s = space();
    let a = s
        .mmap(0x40_0000, 0x3000, Prot::RW, FIXED_ANON, None, 0)
        .unwrap();
    s.munmap(a + 0x1000, 0x1000).unwrap();
    assert_eq!(s.page_prot(a), Prot::RW);
    assert_eq!(s.page_prot(a + 0x1000), Prot::NONE);
    assert_eq!(s.page_prot(a + 0x2000), Prot::RW);
    assert_eq!(s.mappings().len(), 2);
    assert!(s.load(a + 0x1000, 1).is_err());
    // Remapping the hole gives zeroed memory again.
    s.mmap(a + 0x1000, 0x1000, Prot::RW, FIXED_ANON, None, 0)
        .unwrap();
    assert_eq!(s.load(a + 0x1000, 8).unwrap(), 0);
}

#[test]
fn mprotect_semantics() {
    let s = space();
    let a = s
        .mmap(0x40_0000, 0x2000, Prot::RW, FIXED_ANON, None, 0)
        .unwrap();
    s.store(a, 4, 7).unwrap();
    s.mprotect(a, 0x1000, Prot::R).unwrap();
    assert_eq!(s.page_prot(a), Prot::R);
    assert_eq!(s.load(a, 4).unwrap(), 7);
    assert!(s.store(a, 4, 1).is_err());
    assert_eq!(s.mprotect(a, 0x3000, Prot::R), Err(Errno(libc::ENOMEM)));
    assert_eq!(s.mprotect(a + 1, 0x1000, Prot::R), Err(Errno(libc::EINVAL)));
    s.mprotect(a, 0x2000, Prot::RX).unwrap();
    assert_eq!(s.fetch(a, 4).unwrap(), 7);
}

#[test]
fn mremap_grow_shrink_move() {
    let s = space();
    let a = s
        .mmap(0x40_0000, 0x1000, Prot::RW, FIXED_ANON, None, 0)
        .unwrap();
    s.store(a, 8, 42).unwrap();
    assert_eq!(s.mremap(a, 0x1000, 0x3000, RemapFlags::empty(), 0), Ok(a));
    assert_eq!(s.page_prot(a + 0x2000), Prot::RW);
    assert_eq!(s.mremap(a, 0x3000, 0x1000, RemapFlags::empty(), 0), Ok(a));
    assert_eq!(s.page_prot(a + 0x1000), Prot::NONE);
    s.mmap(a + 0x1000, 0x1000, Prot::R, FIXED_ANON, None, 0)
        .unwrap();
    assert_eq!(
        s.mremap(a, 0x1000, 0x2000, RemapFlags::empty(), 0),
        Err(Errno(libc::ENOMEM))
    );
    let b = s.mremap(a, 0x1000, 0x2000, RemapFlags::MAYMOVE, 0).unwrap();
    assert_ne!(b, a);
    assert_eq!(s.load(b, 8).unwrap(), 42);
    assert_eq!(s.page_prot(a), Prot::NONE);
    let c = s
        .mremap(
            b,
            0x2000,
            0x2000,
            RemapFlags::MAYMOVE | RemapFlags::FIXED,
            0x80_0000,
        )
        .unwrap();
    assert_eq!(c, 0x80_0000);
    assert_eq!(s.load(c, 8).unwrap(), 42);
    assert_eq!(
        s.mremap(0x90_0000, 0x1000, 0x2000, RemapFlags::MAYMOVE, 0),
        Err(Errno(libc::EFAULT))
    );
}

#[test]
fn file_mapping_and_past_eof() {
    use std::io::Write as _;
    use std::os::fd::AsRawFd;
    let dir = std::env::temp_dir().join(format!("oxemu-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("f");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"file contents").unwrap();
    drop(f);
    let f = std::fs::File::open(&path).unwrap();
    let s = space();
    let a = s
        .mmap(
            0,
            0x2000,
            Prot::R,
            MapFlags::PRIVATE,
            Some(f.as_raw_fd()),
            0,
        )
        .unwrap();
    let mut b = [0u8; 4];
    s.read(a, &mut b).unwrap();
    assert_eq!(&b, b"file");
    assert_eq!(s.load(a + 0x1000, 1).unwrap_err().kind, FaultKind::Bus);
    let m = s.mappings();
    assert_eq!(m.len(), 1);
    assert!(m[0].name.as_deref().unwrap().ends_with("/f"));
    assert_eq!(
        s.mmap(0, 0x1000, Prot::R, MapFlags::PRIVATE, Some(-1), 0),
        Err(Errno(libc::EBADF))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn atomics() {
    let s = space();
    let a = s
        .mmap(0x40_0000, 0x1000, Prot::RW, FIXED_ANON, None, 0)
        .unwrap();
    s.store(a, 4, 0xffff_fffe).unwrap();
    assert_eq!(s.atomic_rmw(a, 4, AtomicOp::MaxS, 1).unwrap(), 0xffff_fffe);
    assert_eq!(s.load(a, 4).unwrap(), 1, "-2 < 1 as signed 32-bit");
    assert_eq!(s.atomic_rmw(a, 4, AtomicOp::MaxU, 0xffff_0000).unwrap(), 1);
    assert_eq!(
        s.atomic_rmw(a, 4, AtomicOp::Add, 0x1_0001).unwrap(),
        0xffff_0000
    );
    assert_eq!(s.load(a, 4).unwrap(), 1, "32-bit add wraps");
    assert_eq!(s.atomic_rmw(a + 8, 8, AtomicOp::Swap, 9).unwrap(), 0);
    assert_eq!(s.cmpxchg(a + 8, 8, 9, 10).unwrap(), 9);
    assert_eq!(s.cmpxchg(a + 8, 8, 9, 11).unwrap(), 10);
    assert_eq!(s.load(a + 8, 8).unwrap(), 10);
    assert_eq!(
        s.atomic_rmw(a + 2, 4, AtomicOp::Add, 1).unwrap_err().kind,
        FaultKind::Misaligned
    );
    s.mprotect(a, 0x1000, Prot::R).unwrap();
    assert_eq!(
        s.atomic_rmw(a, 4, AtomicOp::Add, 1).unwrap_err().kind,
        FaultKind::Protection
    );
}

#[test]
fn code_pages_are_write_protected_and_logged() {
    let s = space();
    let a = s
        .mmap(0x40_0000, 0x2000, Prot::RW | Prot::X, FIXED_ANON, None, 0)
        .unwrap();
    s.mark_code_page(a);
    let mut inv = Vec::new();
    s.take_code_invalidations(&mut inv);
    assert!(inv.is_empty());
    // Checked writes still work and log the page.
    s.store(a + 16, 4, 5).unwrap();
    s.take_code_invalidations(&mut inv);
    assert_eq!(inv, vec![(a, 0x1000)]);
    // A host-level write fault on a code page is recognised once.
    s.mark_code_page(a);
    s.mark_code_page(a + 0x1000);
    assert!(s.on_write_fault(a + 5));
    assert!(!s.on_write_fault(0x1000), "unmapped page is a real fault");
    inv.clear();
    s.take_code_invalidations(&mut inv);
    assert_eq!(inv, vec![(a, 0x1000)]);
    // munmap of a code page invalidates it.
    s.munmap(a + 0x1000, 0x1000).unwrap();
    inv.clear();
    s.take_code_invalidations(&mut inv);
    assert_eq!(inv, vec![(a + 0x1000, 0x1000)]);
}

#[test]
fn code_page_host_protection_is_real() {
    let s = space();
    let a = s
        .mmap(0x40_0000, 0x1000, Prot::RW | Prot::X, FIXED_ANON, None, 0)
        .unwrap();
    s.mark_code_page(a);
    // The host must refuse writes now: mprotect to the same host protection
    // succeeds, and /proc/self/maps shows the page read-only.
    let h = s.host_base() + a as usize;
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let line = maps
        .lines()
        .find(|l| usize::from_str_radix(l.split('-').next().unwrap(), 16).unwrap() == h)
        .expect("code page has its own host mapping");
    assert!(
        line.split_whitespace().nth(1).unwrap().starts_with("r-"),
        "{line}"
    );
    s.store(a, 1, 1).unwrap();
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let line = maps
        .lines()
        .find(|l| usize::from_str_radix(l.split('-').next().unwrap(), 16).unwrap() == h)
        .unwrap();
    assert!(
        line.split_whitespace().nth(1).unwrap().starts_with("rw"),
        "{line}"
    );
}

#[test]
fn mapping_changes_over_code_pages_are_logged() {
    let s = space();
    let a = s
        .mmap(0x40_0000, 0x4000, Prot::RX, FIXED_ANON, None, 0)
        .unwrap();
    for p in 0..4 {
        s.mark_code_page(a + p * 0x1000);
    }
    s.mprotect(a, 0x1000, Prot::R).unwrap();
    s.mmap(a + 0x1000, 0x1000, Prot::RW, FIXED_ANON, None, 0)
        .unwrap();
    let b = s
        .mremap(
            a + 0x2000,
            0x1000,
            0x1000,
            RemapFlags::MAYMOVE | RemapFlags::FIXED,
            0x80_0000,
        )
        .unwrap();
    assert_eq!(b, 0x80_0000);
    let mut inv = Vec::new();
    s.take_code_invalidations(&mut inv);
    assert_eq!(inv, vec![(a, 0x3000)]);
    // Pages never marked are not reported; an untouched code page stays marked.
    s.munmap(a, 0x3000).unwrap();
    inv.clear();
    s.take_code_invalidations(&mut inv);
    assert!(inv.is_empty(), "{inv:?}");
    s.munmap(a + 0x3000, 0x1000).unwrap();
    s.take_code_invalidations(&mut inv);
    assert_eq!(inv, vec![(a + 0x3000, 0x1000)]);
}

#[test]
fn writes_to_read_only_code_pages_still_fault() {
    let s = space();
    let a = s
        .mmap(0x40_0000, 0x1000, Prot::RX, FIXED_ANON, None, 0)
        .unwrap();
    s.mark_code_page(a);
    assert_eq!(s.store(a, 4, 1).unwrap_err().kind, FaultKind::Protection);
    assert!(!s.on_write_fault(a));
    assert_eq!(s.fetch(a, 4).unwrap(), 0);
}

#[test]
fn concurrent_atomics_add_up() {
    let s = std::sync::Arc::new(space());
    let a = s
        .mmap(0x40_0000, 0x1000, Prot::RW, FIXED_ANON, None, 0)
        .unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let s = s.clone();
            std::thread::spawn(move || {
                for _ in 0..10_000 {
                    s.atomic_rmw(a, 8, AtomicOp::Add, 1).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(s.load(a, 8).unwrap(), 40_000);
}

#[test]
fn file_mapping_grows_in_place_and_moves() {
    use std::os::fd::AsRawFd;
    let dir = std::env::temp_dir().join(format!("oxemu-mem-remap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("f");
    let mut data = vec![b'a'; 0x1000];
    data.extend(vec![b'b'; 0x1000]);
    std::fs::write(&path, &data).unwrap();
    let f = std::fs::File::open(&path).unwrap();
    let s = space();
    let a = s
        .mmap(
            0x40_0000,
            0x1000,
            Prot::R,
            MapFlags::PRIVATE | MapFlags::FIXED,
            Some(f.as_raw_fd()),
            0,
        )
        .unwrap();
    assert_eq!(s.mremap(a, 0x1000, 0x2000, RemapFlags::empty(), 0), Ok(a));
    assert_eq!(s.load(a + 0x1000, 1).unwrap(), u64::from(b'b'));
    assert_eq!(s.mappings().len(), 1, "grown file mapping is one mapping");
    s.mmap(a + 0x2000, 0x1000, Prot::R, FIXED_ANON, None, 0)
        .unwrap();
    let b = s.mremap(a, 0x2000, 0x3000, RemapFlags::MAYMOVE, 0).unwrap();
    assert_ne!(b, a);
    assert_eq!(s.load(b, 1).unwrap(), u64::from(b'a'));
    assert_eq!(s.load(b + 0x1000, 1).unwrap(), u64::from(b'b'));
    assert_eq!(s.load(b + 0x2000, 1).unwrap_err().kind, FaultKind::Bus);
    assert_eq!(s.page_prot(a), Prot::NONE);
    std::fs::remove_dir_all(&dir).unwrap();
}
