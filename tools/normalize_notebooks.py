"""Metadata that `make execute` keeps right after executing notebooks (outputs untouched).

- kernelspec: the installed python3 kernel's own display name, so that JupyterLab does not
  rewrite it and open the notebook as modified.

Usage: python tools/normalize_notebooks.py notebooks/NN_name.ipynb ...
"""

from __future__ import annotations

import sys

import nbformat
from jupyter_client.kernelspec import KernelSpecManager


def normalize(path: str) -> bool:
    """Fix ``path``'s metadata in place; True if it changed."""
    nb = nbformat.read(path, as_version=4)
    spec = KernelSpecManager().get_kernel_spec("python3")
    want = {"display_name": spec.display_name, "language": spec.language, "name": "python3"}
    if dict(nb.metadata.get("kernelspec", {})) == want:
        return False
    nb.metadata["kernelspec"] = want
    nbformat.write(nb, path)
    return True


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        if normalize(arg):
            print(f"{arg}: kernelspec set to the installed python3 kernel")
