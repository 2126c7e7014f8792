"""backward_frames: one picture per += of backward, each box showing its grad as the ledger has it then."""
import html
import re

from PIL import Image

from autograd import Value, node_names, trace_backward
from autograd._drawkit import num
from autograd.frames import backward_frames
from _examples import olah


def shown_grads(src):
    """{box name: grad text} read from a frame's DOT source."""
    src = html.unescape(src)
    return dict(re.findall(r"<B>([^<]+)</B></FONT></TD><TD[^>]*><FONT[^>]*>data [^<]+</FONT></TD><TD[^>]*><FONT[^>]*>"
                           r"grad ([^<]+)</FONT>", src))


def test_one_frame_per_step_and_each_shows_the_ledgers_running_totals():
    *_, e = olah()
    frames = backward_frames(e)
    ledger = trace_backward(olah()[-1])  # the same graph, built again: its own ledger
    assert len(frames) == len(ledger) + 1 == 6  # the seed, then e->c, e->d, d->b, c->a, c->b
    names = {v.label: n for v, n in node_names(e).items()}
    running = {"e": 1.0}
    for s, frame in enumerate(frames):
        if s:
            step = ledger[s - 1]
            running[step.parent.label] = getattr(step, "total", step.grad_after)
        expected = {names[k]: num(running.get(k, 0.0)) for k in "abcde"}
        assert shown_grads(frame.source) == expected, s


def test_the_last_frame_shows_the_grads_of_backward_and_each_frame_marks_its_edge():
    *_, e = olah()
    frames = backward_frames(e)
    # de/da = d = 2, de/db = d + c = 2 + 3, de/dc = d = 2, de/dd = c = 3
    assert shown_grads(frames[-1].source) == {"a": "2", "b": "5", "c": "2", "d": "3", "e": "1"}
    for frame in frames[1:]:
        assert len(re.findall(r"\tn\d+ -> op\d+ \[[^\]]*penwidth=2\.5", frame.source)) == 1
    assert "b.grad is now 5" in html.unescape(frames[-1].source)


def test_frames_keep_one_layout_and_write_svgs_and_a_gif(tmp_path):
    *_, e = olah()
    frames = backward_frames(e)
    files = frames.save(str(tmp_path / "frames"))
    assert [f.rsplit("/", 1)[1] for f in files] == [f"frame_{s:03d}.svg" for s in range(6)]
    sizes = {re.search(r'<svg width="(\d+)pt" height="(\d+)pt"', open(f).read()).groups() for f in files}
    assert len(sizes) == 1  # same size: the boxes do not move as the grads change
    gif = frames.gif(str(tmp_path / "backward.gif"))
    with Image.open(gif) as im:
        assert im.n_frames == 6
