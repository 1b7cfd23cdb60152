//! The protobuf wire format: varints, length-delimited fields and fixed-width values
//! (<https://protobuf.dev/programming-guides/encoding/>).
//!
//! Why hand-written: the decoder walks a body by a table of field numbers read at start-up
//! (see `table.rs`), not by generated message types, so all it needs from a protobuf library
//! is this reader, which is a few dozen lines.

use kobj_core::{Error, Result};

/// One field's value as read from the wire.
#[derive(Clone, Copy)]
pub(super) enum Wire<'a> {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    Bytes(&'a [u8]),
}

/// The 400 every malformed body gets.
pub(super) fn malformed() -> Error {
    Error::bad_request("the protobuf body of the request is malformed")
}

/// A reader over one message's bytes.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub(super) fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.buf.get(self.pos).ok_or_else(malformed)?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(malformed())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or_else(malformed)?;
        let slice = self.buf.get(self.pos..end).ok_or_else(malformed)?;
        self.pos = end;
        Ok(slice)
    }

    pub(super) fn fixed64(&mut self) -> Result<u64> {
        let bytes: [u8; 8] = self.take(8)?.try_into().map_err(|_| malformed())?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn fixed32(&mut self) -> Result<u32> {
        let bytes: [u8; 4] = self.take(4)?.try_into().map_err(|_| malformed())?;
        Ok(u32::from_le_bytes(bytes))
    }

    /// The next field number and value, `None` at the end.
    pub(super) fn next(&mut self) -> Result<Option<(u64, Wire<'a>)>> {
        if self.at_end() {
            return Ok(None);
        }
        let key = self.varint()?;
        let (number, wire_type) = (key >> 3, key & 7);
        let value = match wire_type {
            0 => Wire::Varint(self.varint()?),
            1 => Wire::Fixed64(self.fixed64()?),
            2 => {
                let len = usize::try_from(self.varint()?).map_err(|_| malformed())?;
                Wire::Bytes(self.take(len)?)
            }
            5 => Wire::Fixed32(self.fixed32()?),
            _ => return Err(malformed()),
        };
        if number == 0 {
            return Err(malformed());
        }
        Ok(Some((number, value)))
    }
}
