#!/usr/bin/env python3
"""fscrypt v2 in two ioctls, for a guest without fscryptctl (Debian 12 has
none): add a 64-byte key to a filesystem and set an AES-256-XTS policy on
an empty directory.

  fscrypt.py add_key MOUNTPOINT < KEY     prints the key identifier (hex)
  fscrypt.py set_policy IDENTIFIER DIR
"""
import fcntl
import os
import struct
import sys


def ioc(direction, nr, size):
    return (direction << 30) | (size << 16) | (ord("f") << 8) | nr


IOC_WRITE, IOC_READ = 1, 2
KEY_SPEC_TYPE_IDENTIFIER = 2
# struct fscrypt_add_key_arg: key_spec (type, reserved, 32 bytes), raw_size,
# key_id, 8 reserved words, then the raw key
ADD_KEY_HEAD = struct.Struct("<II32sII32s")
FS_IOC_ADD_ENCRYPTION_KEY = ioc(IOC_READ | IOC_WRITE, 23, ADD_KEY_HEAD.size)
# the number carries the size of the v1 policy, whichever version is set
FS_IOC_SET_ENCRYPTION_POLICY = ioc(IOC_READ, 19, 12)
MODE_AES_256_XTS, MODE_AES_256_CTS = 1, 4


def add_key(mnt, raw):
    arg = bytearray(ADD_KEY_HEAD.pack(KEY_SPEC_TYPE_IDENTIFIER, 0, b"", len(raw), 0, b"") + raw)
    fd = os.open(mnt, os.O_RDONLY)
    try:
        fcntl.ioctl(fd, FS_IOC_ADD_ENCRYPTION_KEY, arg)
    finally:
        os.close(fd)
    return bytes(arg[8:24]).hex()


def set_policy(ident, path):
    policy = struct.pack("<BBBB4s16s", 2, MODE_AES_256_XTS, MODE_AES_256_CTS, 0, b"",
                         bytes.fromhex(ident))
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.ioctl(fd, FS_IOC_SET_ENCRYPTION_POLICY, policy)
    finally:
        os.close(fd)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "add_key":
        print(add_key(sys.argv[2], sys.stdin.buffer.read()))
    elif len(sys.argv) == 4 and sys.argv[1] == "set_policy":
        set_policy(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
