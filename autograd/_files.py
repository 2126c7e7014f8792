"""One way to write a file: atomically, so that a reader (or a crash) sees the old file or the new one.

Used by `nn` (model files) and the command line (drawings). What `atomic_write(path, data)` does with
what is already at `path`:
  - nothing there: the new file gets the mode any new file gets (0666 minus the umask);
  - a regular file: it is replaced, and the new file keeps the old one's permission bits (its owner
    is whoever writes it, as for any new file);
  - a symbolic link: the file it points to is written (the link stays a link), by the same rules;
  - anything else (a directory, a fifo, a device, a socket): refused with an OSError naming the path,
    and nothing is touched.
The data goes to a temporary file in the target's folder (a rename is atomic only within one file
system), is flushed and fsync'ed, then renamed over the target with os.replace; the folder is fsync'ed
after the rename, so the rename itself survives a crash. On any failure the temporary file is removed
and the error names the path asked for, never the temporary. A replaced file is a new inode: other
hard links to the old file keep the old contents.
"""
import errno
import os
import secrets
import stat

__all__ = ["atomic_write"]

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a fifo"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def atomic_write(path, data):
    """Write `data` (str, written as UTF-8, or bytes) to `path` atomically; returns the path written.

    See the module docstring for what happens to an existing file, a symbolic link or a special file.
    Raises OSError (FileNotFoundError for a missing folder, IsADirectoryError for a directory, ...)
    whose filename is `path`.
    """
    path = os.fsdecode(os.fspath(path))
    if not path:  # as open(""): realpath would turn it into the current folder
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"atomic_write: data must be str or bytes, got {type(data).__name__}")
    target = os.path.realpath(path)  # through symbolic links: the link stays, its target is written
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise _named(e, path) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = next((k for test, k in _KINDS if test(st.st_mode)), "not a regular file")
        cls = IsADirectoryError if stat.S_ISDIR(st.st_mode) else FileExistsError
        raise cls(errno.EISDIR if cls is IsADirectoryError else errno.EEXIST,
                  f"refusing to replace {kind}: only a regular file can be written", path)
    folder, name = os.path.split(target)
    try:
        fd, tmp = _create_temporary(folder, name)
    except OSError as e:
        raise _named(e, path) from None
    try:
        try:
            if st is not None and hasattr(os, "fchmod"):  # keep the old file's permission bits (a new
                os.fchmod(fd, stat.S_IMODE(st.st_mode))        # one got the umask's from os.open)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)  # else a crash after the rename can leave the name pointing at empty blocks
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise _named(e, path) from None
        raise
    _fsync_folder(folder)
    return path


def _create_temporary(folder, name):
    # O_EXCL with mode 0666: the kernel applies the umask, so a new file gets the mode any new file
    # gets (mkstemp would make it 0600, unreadable to anyone else).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "could not find a free temporary name", folder)


def _fsync_folder(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open a folder; the rename is atomic there all the same
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _named(e, path):
    """The same kind of OSError, naming the path the caller asked for instead of a temporary."""
    if e.errno is None:
        return e
    return type(e)(e.errno, e.strerror, path)
