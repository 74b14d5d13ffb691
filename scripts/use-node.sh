# Puts the Node line this project runs on (.nvmrc) first on PATH, for the current shell:
#   source scripts/use-node.sh
# With a version manager, use it instead (`nvm install`, `fnm use`, reading .nvmrc). This script
# is for machines that have only an older Node and the npm registry (as CI does): it installs the
# registry's `node` package (the official binary) once into ~/.cache and puts it on PATH, so npm
# itself and every script run on that line. Nothing outside ~/.cache (or $XDG_CACHE_HOME) changes.
_igc_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_igc_line="$(tr -d '[:space:]' < "$_igc_root/.nvmrc")"
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = "$_igc_line" ]; then
  echo "Node $(node --version) is already first on PATH."
else
  _igc_dir="${XDG_CACHE_HOME:-$HOME/.cache}/instagram-connect/node-$_igc_line"
  if [ ! -x "$_igc_dir/node_modules/.bin/node" ]; then
    echo "Installing Node $_igc_line from the npm registry into $_igc_dir (once, about 50 MB)..."
    npm install --prefix "$_igc_dir" --no-save --no-audit --no-fund --loglevel=error "node@$_igc_line" || return 1 2>/dev/null || exit 1
  fi
  export PATH="$_igc_dir/node_modules/.bin:$PATH"
  echo "Node $(node --version) is now first on PATH in this shell."
fi
unset _igc_root _igc_line _igc_dir
