"""atomic_write: what it does with an existing file's mode, a symbolic link and special files, and that a
failure leaves nothing half-written. A model's save goes through it, so these are save's promises too."""
import os
import socket
import stat

import pytest

from autograd import _files
from autograd._files import atomic_write
from nn import MLP

posix = pytest.mark.skipif(os.name != "posix", reason="modes, fifos and symlinks as POSIX has them")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_writes_str_as_utf8_and_bytes_as_they_are(tmp_path):
    atomic_write(tmp_path / "a.txt", "δ = 1\n")
    atomic_write(tmp_path / "b.bin", b"\x00\xff")
    assert (tmp_path / "a.txt").read_bytes() == "δ = 1\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "b.bin"]


@posix
def test_save_keeps_the_mode_of_an_existing_file(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("old")
    os.chmod(path, 0o600)
    MLP(2, [2, 1], seed=0).save(path)
    assert mode(path) == 0o600
    os.chmod(path, 0o640)
    atomic_write(path, "new")
    assert mode(path) == 0o640 and path.read_text() == "new"


@posix
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path, umask):
    old = os.umask(umask)
    try:
        MLP(2, [2, 1], seed=0).save(tmp_path / "m.json")
        open(tmp_path / "plain", "w").close()  # what any new file gets: the oracle
    finally:
        os.umask(old)
    assert mode(tmp_path / "m.json") == mode(tmp_path / "plain") == 0o666 & ~umask


@posix
def test_save_writes_through_a_symlink_to_its_target(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    os.chmod(target, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    model = MLP(2, [2, 1], seed=0)
    model.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert MLP.load(target).state_dict() == model.state_dict()
    assert mode(target) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["link.json", "real.json"]


@posix
def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "new.json")
    atomic_write(link, "x")
    assert link.is_symlink() and (tmp_path / "new.json").read_text() == "x"


@posix
@pytest.mark.parametrize("kind", ["fifo", "directory", "socket", "device"])
def test_save_refuses_what_is_not_a_regular_file_naming_the_path(tmp_path, kind):
    if kind == "device":
        path = "/dev/null"
        if not os.path.exists(path):
            pytest.skip("no /dev/null")
    else:
        path = str(tmp_path / "thing")
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "directory":
            os.mkdir(path)
        else:
            s = socket.socket(socket.AF_UNIX)
            s.bind(path)
            s.close()
    before = os.stat(path)
    with pytest.raises(OSError) as e:
        MLP(2, [2, 1], seed=0).save(path)
    assert e.value.filename == path and "refusing to replace" in str(e.value)
    after = os.stat(path)
    assert (after.st_ino, after.st_mode, after.st_rdev) == (before.st_ino, before.st_mode, before.st_rdev)
    if kind != "device":
        assert os.listdir(tmp_path) == ["thing"]


@posix
def test_a_symlink_to_a_fifo_is_refused_too(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link").symlink_to(tmp_path / "fifo")
    with pytest.raises(FileExistsError, match="a fifo"):
        atomic_write(tmp_path / "link", "x")
    assert stat.S_ISFIFO(os.stat(tmp_path / "fifo").st_mode)


@pytest.mark.parametrize("fail_in", ["write", "fsync", "fchmod", "replace"])
def test_a_failure_at_any_step_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, fail_in):
    path = tmp_path / "f.txt"
    path.write_text("old")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(_files.os, fail_in, fail)
    with pytest.raises(OSError, match="No space left") as e:
        atomic_write(path, "new" * 1000)
    assert e.value.filename == str(path)
    monkeypatch.undo()
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["f.txt"]


def test_an_interrupt_mid_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "f.txt"
    path.write_text("old")

    def interrupted(fd, data):
        raise KeyboardInterrupt
    monkeypatch.setattr(_files.os, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, "new")
    monkeypatch.undo()
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["f.txt"]


def test_a_missing_folder_names_the_path_asked_for(tmp_path):
    target = tmp_path / "no" / "such" / "f.txt"
    with pytest.raises(FileNotFoundError) as e:
        atomic_write(target, "x")
    assert e.value.filename == str(target) and ".tmp" not in str(e.value)


def test_data_that_is_neither_text_nor_bytes_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(TypeError, match="atomic_write: data must be str or bytes, got int"):
        atomic_write(tmp_path / "f", 3)
    assert os.listdir(tmp_path) == []


def test_an_empty_path_is_file_not_found_as_for_open(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError):
        open("", "w")
    with pytest.raises(FileNotFoundError):
        atomic_write("", "x")
    atomic_write(b"bytes-name", "x")
    assert sorted(os.listdir(tmp_path)) == ["bytes-name"]
