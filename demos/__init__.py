"""Runnable tours: `python -m demos.<name>`; pictures and files go to out/."""
