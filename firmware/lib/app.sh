# shellcheck shell=bash
# shellcheck disable=SC2034 # variables set here are read by build.sh
# App bundle stage (sourced by build.sh): builds Letterbox on the build host
# and stages exactly what the appliance runs: bin/, dist/src/, package.json,
# production node_modules and the built admin page.
# Needs: REPO, WORK, TARGET, SKIP_APP_BUILD from build.sh. Sets APP_DIR (per target, so two builds can run at once).

stage_app() {
  APP_DIR="$WORK/$TARGET/app"
  if [ "$SKIP_APP_BUILD" = 0 ]; then
    log "app: compiling on the build host (TypeScript needs the dev dependencies)"
    (
      cd "$REPO"
      [ -d node_modules ] || npm ci --no-audit --no-fund
      npx tsc -p tsconfig.json
      if node -e 'process.exit(JSON.parse(require("fs").readFileSync("package.json","utf8")).scripts?.["build:web"] ? 0 : 1)'; then
        npm run --silent build:web
      fi
    ) >"$WORK/logs/app-build.log" 2>&1 || { tail -30 "$WORK/logs/app-build.log" >&2; die "app build failed (log: $WORK/logs/app-build.log)"; }
  fi
  [ -f "$REPO/dist/src/cli/main.js" ] || die "dist/src is missing: build the app first (or drop --skip-app-build)"
  rm -rf "$APP_DIR"
  mkdir -p "$APP_DIR/dist"
  cp -a "$REPO/bin" "$REPO/package.json" "$REPO/package-lock.json" "$APP_DIR/"
  cp -a "$REPO/dist/src" "$APP_DIR/dist/src"
  find "$APP_DIR/dist" -name '*.map' -delete
  if [ -d "$REPO/web-admin/dist" ]; then
    mkdir -p "$APP_DIR/web-admin"
    cp -a "$REPO/web-admin/dist" "$APP_DIR/web-admin/dist"
  else
    log "app: web-admin/dist not built; the image has no admin page files"
  fi
  [ -f "$REPO/README.md" ] && cp "$REPO/README.md" "$APP_DIR/"
  log "app: production dependencies (npm ci --omit=dev --ignore-scripts)"
  # --ignore-scripts: `prepare` would run tsc, which is a dev dependency; the
  # compiled output is copied above. Native addons ship prebuilt binaries.
  (cd "$APP_DIR" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund) >"$WORK/logs/app-deps.log" 2>&1 \
    || { tail -30 "$WORK/logs/app-deps.log" >&2; die "npm ci --omit=dev failed (log: $WORK/logs/app-deps.log)"; }
  prune_native "$APP_DIR/node_modules"
  log "app: $(du -sm "$APP_DIR" | cut -f1) MiB staged"
}

# Keeps only the linux-arm64 builds of native addons, and fails when an addon
# has none: an x86 .node file would load on the build host and crash the board.
prune_native() {
  local modules=$1 dir bad
  while IFS= read -r dir; do
    find "$dir" -mindepth 1 -maxdepth 1 -type d ! -name 'linux-arm64' -exec rm -rf {} +
    [ -d "$dir/linux-arm64" ] || die "native addon without a linux-arm64 prebuild: $dir"
  done < <(find "$modules" -type d -name prebuilds -prune)
  bad=$(find "$modules" -name '*.node' ! -path '*/prebuilds/linux-arm64/*' | head -5)
  [ -z "$bad" ] || die "native addons built for the build host would not run on arm64: $bad"
}
