"""python -m demos.graphs writes every teaching picture, and the ladder's caption counts what it should."""
import html
import os
import re

from PIL import Image

from demos import graphs


def test_the_demo_writes_each_picture_and_the_ladder_counts_paths_beside_edges(tmp_path, capsys):
    graphs.main(["--out", str(tmp_path)])
    names = {"neuron", "square", "fanout", "paths_olah", "fanout_grads", "ladder", "network_paths", "network_rates",
             "network_bp2", "network_graph", "moons_network", "moons_paths"}
    assert names <= {f[:-4] for f in os.listdir(tmp_path) if f.endswith(".svg")}
    text = html.unescape(open(tmp_path / "ladder.svg").read())
    # 3 rungs: every rung doubles the paths (2^3 = 8) and adds 4 edges, so 4 * 3 = 12 +=; 10 rungs: 1024 and 40
    assert "count_paths(y, x) = 8 = 2^3 paths; backward makes 12 +=" in text
    assert "10 rungs: 1,024 paths, 40 +=" in text and "50 rungs: 1,125,899,906,842,624 paths, 200 +=" in text
    frames = sorted(os.listdir(tmp_path / "backward"))
    assert frames == [f"frame_{s:03d}.svg" for s in range(6)]
    with Image.open(tmp_path / "backward.gif") as im:
        assert im.n_frames == 6
    widths = [int(re.search(r'<svg width="(\d+)pt"', open(tmp_path / f"{n}.svg").read()).group(1))
              for n in ("neuron", "paths_olah", "ladder", "network_paths", "network_rates", "network_bp2")]
    assert max(widths) <= 1000  # README pictures: 11 pt text stays >= 9 px in an 880 px column
