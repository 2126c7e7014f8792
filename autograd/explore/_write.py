"""Write a page atomically: a reader (or a crash) sees the old file or the whole new one."""
try:
    from .._files import atomic_write
except ImportError:  # until autograd._files lands
    import os
    import tempfile

    def atomic_write(path, data):
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise FileNotFoundError(2, "no such folder", path)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".explore-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(data)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        return path


def write_text(path, text):
    """Write `text` (UTF-8) to `path` atomically; returns the path."""
    return atomic_write(path, text)
