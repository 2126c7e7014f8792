"""The README's examples are code that runs: its REPL session is a doctest, and the CLI output it
quotes is what the CLI prints."""
import doctest
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_readme_repl_session_runs_as_written():
    text = README.read_text(encoding="utf-8")
    sessions = [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if ">>>" in b]
    assert sessions
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for i, session in enumerate(sessions):
        test = doctest.DocTestParser().get_doctest(session, {}, f"README session {i}", str(README), 0)
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_readme_cli_transcripts_match_the_cli():
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n\$ python -m autograd (.+?)\n(.*?)```", text, flags=re.S)
    assert blocks, "the README quotes the command line"
    for command, expected in blocks:
        args = re.findall(r'"[^"]*"|\S+', command)
        args = [a.strip('"') for a in args]
        out = subprocess.run([sys.executable, "-m", "autograd", *args], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == expected.strip(), command


def test_readme_python_blocks_run(tmp_path):
    # Fenced ```python blocks that are complete programs (no elided `...` expressions) must run.
    text = README.read_text(encoding="utf-8")
    ran = 0
    # A block followed by a plain block that starts with an exception is expected to raise it.
    for block, shown in re.findall(r"```python\n(.*?)```\n(?:```\n(\w+Error: [^\n]*))?", text, flags=re.S):
        if ">>>" in block or "..." in block:
            continue
        script = tmp_path / f"block{ran}.py"
        script.write_text(block, encoding="utf-8")
        # The block runs from a scratch folder, so it finds this checkout's packages through PYTHONPATH
        # whether or not they are installed.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                             timeout=300, env=env)
        if shown:
            assert out.returncode != 0 and shown in out.stderr, f"README block should raise {shown}"
        else:
            assert out.returncode == 0, f"README block failed:\n{block}\n{out.stderr}"
        ran += 1
    assert ran >= 3
