//! A Linux TAP interface as a [`NetBackend`] (tappers opens /dev/net/tun).

use super::NetBackend;
use std::io;

/// An open TAP interface, frames without packet information.
pub struct Tap(tappers::Tap);

impl Tap {
    /// Creates TAP interface `ifname` (or a new one when None) and brings it up.
    pub fn open(ifname: Option<&str>) -> io::Result<Tap> {
        let mut tap = match ifname {
            Some(name) => tappers::Tap::new_named(tappers::Interface::new(name)?)?,
            None => tappers::Tap::new()?,
        };
        tap.set_up()?;
        Ok(Tap(tap))
    }

    /// The interface name.
    pub fn name(&self) -> io::Result<String> {
        Ok(self.0.name()?.name().to_string_lossy().into_owned())
    }
}

impl NetBackend for Tap {
    fn send(&self, frame: &[u8]) -> io::Result<()> {
        self.0.send(frame).map(|_| ())
    }

    fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.recv(buf)
    }
}
