#!/usr/bin/env bash
# One entry point for setting up and using a development checkout of dossier.
#
#   bash tools/run.sh example   set up, then build the example dossiers (examples/*/out/)
#   bash tools/run.sh test      set up (system packages included), then run every check
#
# Set-up is idempotent: a virtual environment in .venv, the package with its test
# extras, LibreOffice/poppler/fonts for the document tests, and the pinned
# yaml-language-server for the editor test. Needs Python >= 3.11; system packages are
# installed with apt-get when it is available (as root, or through sudo).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
venv="${DOSSIER_VENV:-$here/.venv}"
py="${PYTHON:-python3}"

log() { printf '\n==> %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
        echo "need root for: $*" >&2; return 1; fi
}

system_packages() {
    local pkgs=(libreoffice-writer-nogui python3-uno poppler-utils fonts-liberation
        fonts-dejavu-core fonts-crosextra-carlito fonts-crosextra-caladea)
    command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
    local missing=()
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "apt-get not found: install ${missing[*]} yourself for the document tests" >&2
        return 0
    fi
    log "installing system packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

python_env() {
    if [ ! -x "$venv/bin/python" ]; then
        log "creating virtual environment $venv"
        "$py" -m venv "$venv"
    fi
    log "installing dossier ($1)"
    "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
    "$venv/bin/python" -m pip install -q -e ".[$1]"
}

node_tools() {
    if command -v npm >/dev/null 2>&1 && [ -f tools/node/package-lock.json ]; then
        log "installing the pinned yaml-language-server"
        npm ci --prefix tools/node --no-audit --no-fund --loglevel=error
    fi
}

case "${1:-}" in
example)
    python_env test
    for ex in examples/*/; do
        [ -f "$ex/dossier.yaml" ] || continue
        log "example $ex"
        "$venv/bin/dossier" validate "$ex" --strict
        if "$venv/bin/dossier" build --help >/dev/null 2>&1; then
            "$venv/bin/dossier" build "$ex"
        fi
    done
    ;;
test)
    system_packages
    python_env test
    node_tools
    export PATH="$venv/bin:$PATH"
    log "ruff";          ruff check . && ruff format --check .
    log "mypy";          mypy
    log "import-linter"; lint-imports
    log "generated docs are current"
    python -m dossier.model.docgen --check && python -m dossier.rules.docs --check && python -m dossier.core.codes --check && python -m dossier.core.units --check && python -m dossier.locale.catalogue --check
    log "pytest"
    set +e
    python -m pytest -q "${@:2}"
    rc=$?
    set -e
    # pytest exit 5 means "no tests collected": treat it as a failure, never as green.
    exit "$rc"
    ;;
*)
    echo "usage: bash tools/run.sh example|test [pytest args]" >&2
    exit 2
    ;;
esac
