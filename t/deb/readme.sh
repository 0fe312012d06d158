# t/deb/readme.sh: sourced by t/deb/test-deb.sh.  Runs the shell blocks of
# README.md's "Deploy on Debian" and "Operations" as they stand: a block
# follows a line "<!-- run: NAME -->" and is fenced ```sh ... ```.
#
#   readme_block FILE NAME   prints block NAME of FILE (README.md, or the
#                            installed README.md.gz); fails if there is none
#   readme_run FILE NAME     runs it in this shell (so that what a block
#                            defines, "fetch", $doc, $fp, stays for the next
#                            ones), its output in $readme_out, then checks
#                            what the block's comments promise: a line
#                            "fetch CERT URI   # CODE [RESULT]" printed
#                            "CODE CERT URI", and the provisioning log's
#                            line of that request says result=RESULT
#
# Needs: fail, ok (test-deb.sh), $tmp, $prov_log (the site's access log).
# awk reads the whole file: under pipefail, an awk that exits at the block
# would fail the pipeline with zcat's or cat's SIGPIPE.

readme_block() {
    local file=$1 name=$2 text

    text=$( (case "$file" in *.gz) zcat "$file" ;; *) cat "$file" ;; esac) \
            | awk -v name="$name" '
                done                           { next }
                $0 == "<!-- run: " name " -->" { want = 1; next }
                want == 1 && $0 == "```sh"     { want = 2; next }
                want == 1                      { done = 1; next }
                want == 2 && $0 == "```"       { found = 1; done = 1; next }
                want == 2                      { print }
                END { if (!found) exit 1 }') \
        || fail "$file: no block \"<!-- run: $name -->\" followed by \`\`\`sh"
    printf '%s\n' "$text"
}

readme_run() {
    local file=$1 name=$2 text line code cert uri result log_line
    local -a expect

    text=$(readme_block "$file" "$name")
    echo "# README block \"$name\":"
    printf '%s\n' "$text" | sed 's/^/#   /'

    readme_out="$tmp/readme.$name.out"
    readme_block_name=$name

    # errexit stays on: a failing command of the block fails the test
    # (test-deb.sh's EXIT trap prints $readme_out)
    eval "$text" > "$readme_out" 2>&1

    readme_block_name=
    sed 's/^/    /' "$readme_out"

    # the promises of "fetch CERT URI  # CODE [RESULT]" lines
    mapfile -t expect < <(printf '%s\n' "$text" | perl -ne '
        print "$3 $1 $2 ", $4 // "", "\n"
            if /^fetch (\S+) (\S+)\s+# (\d{3})(?: ([a-z_]+))?/')

    for line in "${expect[@]}"; do
        read -r code cert uri result <<< "$line"

        grep -qxF "$code $cert $uri" "$readme_out" \
            || fail "README block \"$name\": \"fetch $cert $uri\" did not answer $code"

        if [ -n "$result" ]; then
            log_line=$(grep -F "\"GET $uri HTTP/" "$prov_log" | tail -n 1)
            case "$log_line" in
                *" $code "*"result=$result "*|*" $code "*"result=$result") ;;
                *) fail "README block \"$name\": $uri as $cert: not logged" \
                        "$code result=$result in $prov_log: $log_line" ;;
            esac
        fi
    done

    ok "README block \"$name\" ran as it stands (${#expect[@]} fetches as promised)"
}
