#!/bin/bash
# Usage: [NGINX_SUITE=suite] [NGINX_DEB_VERSION=version] \
#            scripts/nginx-source.sh DIR
#
# Unpacks Debian's nginx source package (with Debian's patches applied)
# into DIR/nginx-<version> once and prints that path.  NGINX_SUITE picks
# the Debian release (default bookworm: the nginx Debian 12's binary is
# built from), NGINX_DEB_VERSION the version (default: the suite's below).
#
# The suite's deb-src entries (its main archive and, but for sid, its
# security archive, on the mirrors this machine's own apt sources use) go
# into a list file of our own, /etc/apt/sources.list.d/prov-src-<suite>.sources
# (bookworm: prov-deb-src.sources), as root.  Only source packages are
# fetched from another suite, never its binary packages.
#
# A version the suite's index names is fetched with apt-get source, checked
# against the signed index.  A version the index no longer names (the
# archive keeps older files in its pool for a while) is fetched from the
# pool with apt's own downloader, each file checked against the .dsc's
# SHA-256 sums; the .dsc itself then has no signed index above it.  Exit
# status 3: the archive serves no such .dsc at all (an index can name a
# version whose files the mirror does not hold).

set -euo pipefail

dir=${1:?usage: nginx-source.sh DIR}
# dpkg-source runs in a subfolder: the paths must not be relative
dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
suite=${NGINX_SUITE:-bookworm}

# The version of each suite, pinned so that a run is repeatable.  trixie:
# the first revision of the release; the archive reached from here serves
# its files but not those of the later point releases its index names.
# sid: whatever its index names now (unstable moves; nothing to pin).
case "$suite" in
bullseye)   default_version=1.18.0-6.1+deb11u3 ;;
bookworm)   default_version=1.22.1-9+deb12u9 ;;
trixie)     default_version=1.26.3-3+deb13u1 ;;
sid)        default_version= ;;
*)
    echo "NGINX_SUITE=$suite: one of bullseye, bookworm, trixie, sid" >&2
    exit 1
    ;;
esac

if [ "$suite" = bookworm ]; then
    list=/etc/apt/sources.list.d/prov-deb-src.sources
else
    list=/etc/apt/sources.list.d/prov-src-$suite.sources
fi

# the mirrors of this machine's own bookworm entries
mirror() {
    apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null \
        | awk -v r="$1" '$2 == r { print $1; exit }'
}

if [ ! -f "$list" ]; then
    main=$(mirror bookworm)
    security=$(mirror bookworm-security)

    if [ -z "$main" ]; then
        echo "no Debian bookworm entry in this machine's apt sources: cannot" \
             "tell which mirror serves nginx's source" >&2
        exit 1
    fi

    if [ "$(id -u)" -ne 0 ]; then
        echo "Debian's nginx source of $suite needs a deb-src entry: as root" \
             "run this again, or put" >&2
        echo "    Types: deb-src" >&2
        echo "    URIs: $main" >&2
        echo "    Suites: $suite" >&2
        echo "    Components: main" >&2
        echo "into $list and run apt-get update" >&2
        exit 1
    fi

    {
        echo "# ngx_http_prov_module: nginx's Debian source of $suite"
        echo "# (scripts/nginx-source.sh: make test-asan, make fuzz,"
        echo "# make test NGINX_SUITE=...)"
        echo "Types: deb-src"
        echo "URIs: $main"
        echo "Suites: $suite"
        echo "Components: main"
        echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"

        if [ "$suite" != sid ] && [ -n "$security" ]; then
            echo
            echo "Types: deb-src"
            echo "URIs: $security"
            echo "Suites: $suite-security"
            echo "Components: main"
            echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
        fi
    } > "$list"

    apt-get update -q >&2
fi

bash "$(dirname "$0")/deps.sh" dpkg-dev

version=${NGINX_DEB_VERSION:-$default_version}

if [ -z "$version" ]; then
    # the highest version the suite's own index names
    version=$(apt-get indextargets --format '$(FILENAME)' \
                  "Release: $suite" 'Created-By: Sources' 2>/dev/null \
              | while read -r index; do
                    /usr/lib/apt/apt-helper cat-file "$index" 2>/dev/null \
                        | awk '/^Package: nginx$/ { p = 1; next }
                               /^Package:/ { p = 0 }
                               p && /^Version:/ { print $2 }'
                done | sort -V | tail -1)
    if [ -z "$version" ]; then
        echo "no nginx source in $suite's index (apt-get update?)" >&2
        exit 1
    fi
fi

upstream=${version%%-*}
tree=$dir/nginx-$upstream

if [ -f "$tree/.prov-source-$version" ]; then
    echo "$tree"
    exit 0
fi

rm -rf "$tree" "$dir/download"
mkdir -p "$dir/download"
cd "$dir/download"

# the pool's folder of nginx on the suite's mirrors
pool() {
    local main security
    main=$(grep -m1 '^URIs:' "$list" | awk '{ print $2 }')
    security=$(grep '^URIs:' "$list" | sed -n 2p | awk '{ print $2 }')
    echo "${main%/}/pool/main/n/nginx"
    [ -z "$security" ] || echo "${security%/}/pool/updates/main/n/nginx"
}

# as root apt warns that _apt cannot write here; the download is checked
# against the signed index all the same
if ! apt-get source -q --download-only "nginx=$version" >&2; then
    echo "apt-get source could not fetch nginx $version of $suite: trying" \
         "the archive's pool" >&2

    dsc=nginx_$version.dsc
    got=

    for p in $(pool); do
        if /usr/lib/apt/apt-helper download-file "$p/${dsc//+/%2b}" \
               "$dir/download/$dsc" >&2 2>/dev/null
        then
            got=$p
            break
        fi
    done

    if [ -z "$got" ]; then
        echo "the archive serves no $dsc: set NGINX_DEB_VERSION to a" \
             "version of $suite it serves" >&2
        exit 3
    fi

    # every file the .dsc names, with the SHA-256 it gives
    awk '/^Checksums-Sha256:/ { s = 1; next } /^[^ ]/ { s = 0 }
         s && NF == 3 { print $1, $3 }' "$dsc" \
    | while read -r sum file; do
        /usr/lib/apt/apt-helper download-file "$got/${file//+/%2b}" \
            "$dir/download/$file" "SHA256:$sum" >&2
    done
fi

dpkg-source -x nginx_"$version".dsc "$tree" >&2

touch "$tree/.prov-source-$version"
echo "$tree"
