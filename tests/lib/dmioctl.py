#!/usr/bin/env python3
"""Device-mapper ioctls from Python, without spawning dmsetup.

Under TCG a process spawn costs tens of milliseconds; the lifecycle and
fuzz suites issue tens of thousands of ioctls, so they talk to
/dev/mapper/control directly with fcntl.ioctl.  Layout of struct dm_ioctl,
struct dm_target_spec and struct dm_target_msg: <linux/dm-ioctl.h>,
interface version 4.

    dm = Dm()
    dm.create("x"); dm.load("x", [(0, sectors, "ioband", "/dev/nullb0 1")])
    dm.resume("x"); dm.message("x", "weight 40"); print(dm.status("x"))
    dm.remove("x")

Every failing call raises OSError with the kernel's errno.
"""
import errno
import fcntl
import os
import struct
import time

DM_NAME_LEN = 128
DM_UUID_LEN = 129
# version[3] data_size data_start target_count open_count flags event_nr
# padding dev name uuid data[7]
HDR = struct.Struct("=3I I I I i I I I Q 128s 129s 7s")
assert HDR.size == 312
SPEC = struct.Struct("=Q Q i I 16s")  # sector_start length status next target_type
MSG = struct.Struct("=Q")  # sector

READONLY = 1 << 0
SUSPEND = 1 << 1
STATUS_TABLE = 1 << 4
ACTIVE_PRESENT = 1 << 5
INACTIVE_PRESENT = 1 << 6
BUFFER_FULL = 1 << 8
NOFLUSH = 1 << 11
QUERY_INACTIVE = 1 << 12
DATA_OUT = 1 << 16

(VERSION, REMOVE_ALL, LIST_DEVICES, DEV_CREATE, DEV_REMOVE, DEV_RENAME,
 DEV_SUSPEND, DEV_STATUS, DEV_WAIT, TABLE_LOAD, TABLE_CLEAR, TABLE_DEPS,
 TABLE_STATUS, LIST_VERSIONS, TARGET_MSG) = range(15)


def _iowr(nr):
    # _IOWR(0xfd, nr, struct dm_ioctl)
    return (3 << 30) | (HDR.size << 16) | (0xFD << 8) | nr


def _pad8(b):
    return b + b"\0" * (-len(b) % 8)


class Dm:
    """One open /dev/mapper/control."""

    def __init__(self, control="/dev/mapper/control"):
        self.fd = os.open(control, os.O_RDWR)

    def close(self):
        os.close(self.fd)

    def ioctl(self, cmd, name="", flags=0, payload=b"", bufsize=2048, dev=0,
              target_count=0):
        """Issue one ioctl; returns (header fields, data bytes after data_start)."""
        nm = name.encode() if isinstance(name, str) else name
        if len(nm) >= DM_NAME_LEN:
            raise OSError(errno.EINVAL, "name too long")
        while True:
            size = max(bufsize, HDR.size + len(payload))
            buf = bytearray(size)
            HDR.pack_into(buf, 0, 4, 0, 0, size, HDR.size, target_count, 0, flags,
                          0, 0, dev, nm, b"", b"")
            buf[HDR.size:HDR.size + len(payload)] = payload
            fcntl.ioctl(self.fd, _iowr(cmd), buf, True)
            f = HDR.unpack_from(buf)
            if f[7] & BUFFER_FULL and bufsize < (1 << 24):
                bufsize *= 4
                continue
            start, dsize = f[4], f[3]
            return f, bytes(buf[start:dsize])

    # --- devices -------------------------------------------------------
    def create(self, name):
        """Create device NAME; returns its device number (os.major/os.minor decode it)."""
        f, _ = self.ioctl(DEV_CREATE, name)
        return f[10]

    def remove(self, name, retries=100):
        """Remove NAME, retrying while something (udev) has it open."""
        for i in range(retries):
            try:
                self.ioctl(DEV_REMOVE, name)
                return
            except OSError as e:
                if e.errno != errno.EBUSY or i == retries - 1:
                    raise
                time.sleep(0.05)

    def load(self, name, targets):
        """Load a table into the inactive slot: targets = [(start, len, type, params)]."""
        body = b""
        for i, (start, length, ttype, params) in enumerate(targets):
            p = params.encode() if isinstance(params, str) else params
            p = _pad8(p + b"\0")
            nxt = SPEC.size + len(p) if i < len(targets) - 1 else 0
            body += SPEC.pack(start, length, 0, nxt, ttype.encode()[:15]) + p
        self.ioctl(TABLE_LOAD, name, payload=body, target_count=len(targets))

    def clear(self, name):
        self.ioctl(TABLE_CLEAR, name)

    def suspend(self, name, noflush=False):
        self.ioctl(DEV_SUSPEND, name, flags=SUSPEND | (NOFLUSH if noflush else 0))

    def resume(self, name):
        self.ioctl(DEV_SUSPEND, name)

    def info(self, name):
        """(open_count, flags, dev) of NAME."""
        f, _ = self.ioctl(DEV_STATUS, name)
        return f[6], f[7], f[10]

    def list(self):
        """Names of all dm devices."""
        f, data = self.ioctl(LIST_DEVICES)
        out, off = [], 0
        while data and len(data) - off >= 12:
            _dev, nxt = struct.unpack_from("=QI", data, off)
            nm = data[off + 12:].split(b"\0", 1)[0].decode()
            if nm:
                out.append(nm)
            if not nxt:
                break
            off += nxt
        return out

    def _lines(self, name, flags):
        f, data = self.ioctl(TABLE_STATUS, name, flags=flags)
        lines, off = [], 0
        for _ in range(f[5]):
            start, length, _st, nxt, ttype = SPEC.unpack_from(data, off)
            params = data[off + SPEC.size:].split(b"\0", 1)[0]
            lines.append(b"%d %d %s %s" % (start, length, ttype.rstrip(b"\0"), params))
            off = nxt  # for output, next is relative to the data start
        return lines

    def status(self, name):
        """The live table's status lines (bytes), as `dmsetup status` prints them."""
        return self._lines(name, 0)

    def table(self, name, inactive=False):
        """The table lines (bytes), as `dmsetup table` prints them."""
        return self._lines(name, STATUS_TABLE | (QUERY_INACTIVE if inactive else 0))

    def message(self, name, text, sector=0):
        """Send a target message (str or bytes); returns the reply, if any."""
        t = text.encode() if isinstance(text, str) else text
        f, data = self.ioctl(TARGET_MSG, name, payload=MSG.pack(sector) + t + b"\0")
        return data.split(b"\0", 1)[0] if f[7] & DATA_OUT else b""


def sectors(path):
    """Size of a block device in 512-byte sectors."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.lseek(fd, 0, os.SEEK_END) // 512
    finally:
        os.close(fd)
