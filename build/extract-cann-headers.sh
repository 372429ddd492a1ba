#!/usr/bin/env bash
# Arranges CANN's public headers from clones of the public hicann repositories into an include folder laid out as an
# installed CANN's (<output>/include/{acl,aclnn,aclnnop,hccl}), so the bindings generator's --cann-include and
# build/compare-cann-values.sh can run against the real thing without an NPU machine.
#
# It copies files you already have (your clones) into a folder you name; it carries no CANN text itself. Keep the
# output out of git: the repository ignores .cann/ (docs/operators.md, "Binding a real CANN").
#
#   build/extract-cann-headers.sh --version 9.0.0 --output .cann/9.0.0 \
#       --runtime <git dir or clone of hicann/runtime> --opbase <...> --ops-math <...> --ops-nn <...> \
#       --ops-transformer <...> [--hccl <...>] [--ref <repo>=<tag or branch>]...
#
# Each repository is read at tag v<version>; where it has no such tag (opbase and ops-transformer publish 9.1.0 as a
# branch), the branch <version> is used and the script says so. --ref overrides the choice for one repository.
# A repository path may be a bare git directory or a work tree (anything `git --git-dir` or `git -C` reads).
#
# What lands where (the layout of CANN's install rules):
#   runtime          include/external/acl/**           -> include/acl/**
#   opbase           include/nnopbase/aclnn/*.h        -> include/aclnn/
#                    include/nnopbase/opdev/**         -> include/aclnn/opdev/** (op_errno.h: the aclnnStatus codes)
#                    include/aclnnop/*.h               -> include/aclnnop/
#   ops-math, ops-nn, ops-transformer
#                    <family>/<op>/[op_host/]op_api/aclnn_*.h and acl_*.h (not experimental/, tests, examples)
#                                                      -> include/aclnnop/
#   hccl             include/*.h                       -> include/hccl/
# Two operator folders shipping one header name: identical files are one; otherwise the folder named after the header
# wins, else the first path in sorted order, and the script lists the choice.
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
    exit 2
}

version=""
output=""
declare -A repo=()
declare -A ref=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --version) version="$2"; shift 2 ;;
        --output) output="$2"; shift 2 ;;
        --runtime|--opbase|--ops-math|--ops-nn|--ops-transformer|--hccl) repo["${1#--}"]="$2"; shift 2 ;;
        --ref) ref["${2%%=*}"]="${2#*=}"; shift 2 ;;
        -h|--help) usage ;;
        *) echo "extract-cann-headers: unknown argument '$1'" >&2; usage ;;
    esac
done
[[ -n "$version" && -n "$output" ]] || usage
for required in runtime opbase ops-math ops-nn ops-transformer; do
    [[ -n "${repo[$required]:-}" ]] || { echo "extract-cann-headers: --$required is required" >&2; usage; }
done

# git for one repository, whether it is a bare git directory or a work tree.
git_of() {
    local path="$1"
    shift
    if [[ -d "$path/.git" || -f "$path/.git" ]]; then
        git -C "$path" "$@"
    else
        git --git-dir "$path" "$@"
    fi
}

# The commit to read for a repository: --ref, else tag v<version>, else branch <version>.
resolve() {
    local name="$1" path="${repo[$1]}"
    local wanted="${ref[$name]:-}"
    if [[ -n "$wanted" ]]; then
        git_of "$path" rev-parse --verify -q "$wanted^{commit}" || { echo "extract-cann-headers: $name has no '$wanted'" >&2; exit 1; }
        return
    fi
    if git_of "$path" rev-parse --verify -q "refs/tags/v$version^{commit}"; then
        return
    fi
    local commit
    for candidate in "refs/heads/$version" "refs/remotes/origin/$version"; do
        if commit=$(git_of "$path" rev-parse --verify -q "$candidate^{commit}"); then
            echo "extract-cann-headers: $name has no tag v$version; using branch $version ($commit)" >&2
            echo "$commit"
            return
        fi
    done
    echo "extract-cann-headers: $name has neither tag v$version nor branch $version (pass --ref $name=<tag or branch>)" >&2
    exit 1
}

include="$output/include"
rm -rf "$include"
mkdir -p "$include/acl" "$include/aclnn" "$include/aclnnop" "$include/hccl"
manifest="$output/SOURCES.txt"
: > "$manifest"

# copy <repo> <commit> <path in repo> <destination file>
copy() {
    mkdir -p "$(dirname "$4")"
    git_of "${repo[$1]}" show "$2:$3" > "$4"
}

# Files of a commit under a folder (recursive), one per line.
files_of() {
    git_of "${repo[$1]}" ls-tree -r --name-only "$2" -- "$3" 2>/dev/null || true
}

declare -A commit_of=()
for name in "${!repo[@]}"; do
    commit_of[$name]=$(resolve "$name")
    echo "$name ${commit_of[$name]}" >> "$manifest"
done

# Runtime: include/external/acl/** -> include/acl/**
count=0
while IFS= read -r path; do
    [[ "$path" == *.h ]] || continue
    copy runtime "${commit_of[runtime]}" "$path" "$include/acl/${path#include/external/acl/}"
    count=$((count + 1))
done < <(files_of runtime "${commit_of[runtime]}" include/external/acl)
echo "runtime: $count headers -> include/acl" >&2

# opbase: the aclnn base headers and its aclnnop helpers.
count=0
while IFS= read -r path; do
    case "$path" in
        include/nnopbase/aclnn/*.h) copy opbase "${commit_of[opbase]}" "$path" "$include/aclnn/$(basename "$path")" ;;
        include/nnopbase/opdev/*.h) copy opbase "${commit_of[opbase]}" "$path" "$include/aclnn/opdev/${path#include/nnopbase/opdev/}" ;;
        include/aclnnop/*.h) copy opbase "${commit_of[opbase]}" "$path" "$include/aclnnop/$(basename "$path")" ;;
        *) continue ;;
    esac
    count=$((count + 1))
done < <(files_of opbase "${commit_of[opbase]}" include)
echo "opbase: $count headers -> include/aclnn, include/aclnnop" >&2

# Operator repositories: every op_api header an operator folder installs.
declare -A chosen=()
declare -A chosen_from=()
for name in ops-math ops-nn ops-transformer; do
    commit="${commit_of[$name]}"
    count=0
    while IFS= read -r path; do
        case "$path" in
            experimental/*|test/*|tests/*|example/*|examples/*|common/*|*/tests/*|*/test/*|*/examples/*) continue ;;
        esac
        [[ "$path" =~ (^|/)op_api/(aclnn|acl)_[^/]*\.h$ ]] || continue
        file=$(basename "$path")
        key="$file"
        if [[ -n "${chosen[$key]:-}" ]]; then
            previous="${chosen_from[$key]}"
            if cmp -s <(git_of "${repo[$name]}" show "$commit:$path") "$include/aclnnop/$file"; then
                continue
            fi
            # The folder named after the header (aclnn_foo.h in .../foo/...) wins; else the first path kept.
            stem="${file#aclnn_}"
            stem="${stem#acl_}"
            stem="${stem%.h}"
            if [[ "/$path" == */"$stem"/* && "/$previous" != */"$stem"/* ]]; then
                copy "$name" "$commit" "$path" "$include/aclnnop/$file"
                echo "extract-cann-headers: $file: $name $path replaces $previous (differing copies)" >&2
                chosen_from[$key]="$name:$path"
            else
                echo "extract-cann-headers: $file: kept $previous over $name:$path (differing copies)" >&2
            fi
            continue
        fi
        copy "$name" "$commit" "$path" "$include/aclnnop/$file"
        chosen[$key]=1
        chosen_from[$key]="$name:$path"
        count=$((count + 1))
    done < <(git_of "${repo[$name]}" ls-tree -r --name-only "$commit" | LC_ALL=C sort)
    echo "$name: $count operator headers -> include/aclnnop" >&2
done

# HCCL: include/*.h -> include/hccl/ (hccl_types.h lives in hcomm; without it the generator falls back to ours).
if [[ -n "${repo[hccl]:-}" ]]; then
    count=0
    while IFS= read -r path; do
        [[ "$path" == include/*.h && "$path" != include/*/* ]] || continue
        copy hccl "${commit_of[hccl]}" "$path" "$include/hccl/$(basename "$path")"
        count=$((count + 1))
    done < <(files_of hccl "${commit_of[hccl]}" include)
    echo "hccl: $count headers -> include/hccl" >&2
fi

for name in "${!chosen_from[@]}"; do
    echo "aclnnop/$name ${chosen_from[$name]}"
done | LC_ALL=C sort >> "$manifest"
echo "wrote $include ($(find "$include" -name '*.h' | wc -l) headers; sources in $manifest)" >&2
