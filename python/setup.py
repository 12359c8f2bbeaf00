"""Builds the extension tailq._tailq with CMake from the repository (one level up), using only
what is installed: Debian's compilers, CMake, pybind11-dev and the C++ libraries that
scripts/install-deps.sh installs. Nothing is downloaded.

    pip install --no-build-isolation ./python     (in a venv made with --system-site-packages)

TAILQ_BUILD_JOBS sets the parallel build jobs (default: all cores).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def project_version():
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(tailq VERSION ([0-9.]+)", text).group(1)


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        package_dir = Path(self.get_ext_fullpath(ext.name)).resolve().parent
        build_dir = Path(self.build_temp).resolve() / "cmake"
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            "-DTAILQ_BUILD_TESTS=OFF", "-DTAILQ_BUILD_BENCHMARKS=OFF", "-DTAILQ_BUILD_PYTHON=ON",
            f"-DPython3_EXECUTABLE={sys.executable}",
            f"-DTAILQ_PYTHON_MODULE_DIR={package_dir}",
            # The module never runs the LibTorch workload: do not build it.
            "-DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON",
        ]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        jobs = os.environ.get("TAILQ_BUILD_JOBS", str(os.cpu_count() or 1))
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_tailq", "-j", jobs],
                       check=True)


setup(
    version=project_version(),
    ext_modules=[CMakeExtension("tailq._tailq")],
    cmdclass={"build_ext": CMakeBuild},
)
