# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ioband_global_optspecs
    string join \n h/help V/version
end

function __fish_ioband_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ioband_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ioband_using_subcommand
    set -l cmd (__fish_ioband_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ioband -n "__fish_ioband_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_needs_command" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "create" -d 'Create an ioband device'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "remove" -d 'Remove ioband devices'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "suspend" -d 'Suspend a device (I/O is queued until it is resumed)'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "resume" -d 'Resume a device (activating a table loaded with `reload`)'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "reload" -d 'Load a new table into a device\'s inactive slot (applied by `resume`)'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "message" -d 'Send a raw target message, dmsetup style (words are passed as given)'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "weight" -d 'Set the weight of the default group, or of group ID'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "write-weight" -d 'Give the writes of the default group, or of group ID, a weight of their own'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "limit" -d 'Cap a group\'s I/O rates (bytes/s, I/O per second), or clear its caps'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "floor" -d 'Guarantee a group minimum I/O rates (bytes/s, I/O per second), or clear its floors'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "class" -d 'Put a group in the idle class (it uses the disk only when the others leave it idle), or back'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "attach" -d 'Attach an ioband group (by uid, gid, pid, pgrp or cgroup, per the device\'s type)'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "detach" -d 'Detach an ioband group'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "type" -d 'Set the group type (decides what attached group ids mean)'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "token" -d 'Set the number of tokens handed out per refill (default 2048)'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "io-throttle" -d 'Set io_throttle: bios in flight before bandwidth control starts (default 4)'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "io-limit" -d 'Set io_limit: bios in flight before all I/O is blocked (default auto: the queue depth below)'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "reset" -d 'Reset a device\'s statistics counters'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "table" -d 'Show the configuration of ioband devices'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "exporter" -d 'Serve the groups\' counters, shares, caps and floors to Prometheus'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "status" -d 'Show per-group statistics, weights and shares of ioband devices'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "ls" -d 'List ioband devices'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "targets" -d 'Tell whether the ioband target is loaded, and its version'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "version" -d 'Print the versions of this tool, the device-mapper driver and the target'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "apply" -d 'Make ioband devices match YAML profiles (create, change, remove)'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "show" -d 'Print the live ioband devices as a profile (`apply` takes it back)'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "schema" -d 'Print the JSON Schema of profiles'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "man" -d 'Print the manual page (roff) to standard output'
complete -c ioband -n "__fish_ioband_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ioband -n "__fish_ioband_using_subcommand create" -l table -d 'The table, as dmsetup takes it: \'0 <sectors> ioband <dev> <group> [<io_throttle> [<io_limit>]]\'' -r
complete -c ioband -n "__fish_ioband_using_subcommand create" -l table-file -d 'Read the table from FILE (\'-\' for standard input); one target per line, \'#\' comments' -r -F
complete -c ioband -n "__fish_ioband_using_subcommand create" -l group -d 'Device-group id: devices sharing one disk\'s bandwidth use the same id' -r
complete -c ioband -n "__fish_ioband_using_subcommand create" -l io-throttle -d 'Bios in flight before bandwidth control starts (default 4; below io_limit)' -r
complete -c ioband -n "__fish_ioband_using_subcommand create" -l io-limit -d 'Bios in flight before all I/O is blocked: auto (the default; 128 means auto too) follows the queue depth of the device below, or 2 to 65536' -r
complete -c ioband -n "__fish_ioband_using_subcommand create" -l weight -d 'Weight of the default group (default 100; 1 to 1000000)' -r
complete -c ioband -n "__fish_ioband_using_subcommand create" -l type -d 'Group type to start with' -r -f -a "none\t'No extra groups; everything goes to the default group'
user\t'By user id (synonym of `uid`; the kernel prints back what was set)'
uid\t'By user id'
gid\t'By group id'
pid\t'By process id'
pgrp\t'By process group id'
cgroup\t'By cgroup (v2) id: the inode number of the cgroup directory'"
complete -c ioband -n "__fish_ioband_using_subcommand create" -l policy -d 'Scheduling policy (default fair; `default` is the 2008 name of weight)' -r -f -a "weight\t'Share counted in bios (requests), by epochs of tokens (the 2008 policy; also called `default`)'
weight-iosize\t'Share counted in bytes (sectors)'
fair\t'Fair queueing, no epochs: share counted in bios; bios wait only while io_limit bios are in flight'
fair-iosize\t'Fair queueing with the share counted in bytes (sectors)'
time\t'Fair queueing in device time (what each bio took the disk); on a rotating disk the groups take turns'"
complete -c ioband -n "__fish_ioband_using_subcommand create" -l token -d 'Tokens per refill (default 2048; up to 1073741824)' -r
complete -c ioband -n "__fish_ioband_using_subcommand create" -l uuid -d 'Device UUID' -r
complete -c ioband -n "__fish_ioband_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand create" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand remove" -l retry -d 'Keep retrying for a few seconds while the device is busy'
complete -c ioband -n "__fish_ioband_using_subcommand remove" -l deferred -d 'If the device is in use, remove it when its last user closes it'
complete -c ioband -n "__fish_ioband_using_subcommand remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand remove" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand suspend" -l noflush -d 'Do not flush queued I/O before suspending'
complete -c ioband -n "__fish_ioband_using_subcommand suspend" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand suspend" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand resume" -s h -l help -d 'Print help'
complete -c ioband -n "__fish_ioband_using_subcommand resume" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand reload" -l table -d 'The table, as dmsetup takes it: \'0 <sectors> ioband <dev> <group> [<io_throttle> [<io_limit>]]\'' -r
complete -c ioband -n "__fish_ioband_using_subcommand reload" -l table-file -d 'Read the table from FILE (\'-\' for standard input); one target per line, \'#\' comments' -r -F
complete -c ioband -n "__fish_ioband_using_subcommand reload" -l resume -d 'Suspend and resume the device afterwards so the table takes effect'
complete -c ioband -n "__fish_ioband_using_subcommand reload" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand reload" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand message" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand message" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand weight" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand weight" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand write-weight" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand write-weight" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand limit" -l group -d 'The attached group to cap: an id, or a user/group name, cgroup directory or systemd unit or slice name (default: the default group)' -r
complete -c ioband -n "__fish_ioband_using_subcommand limit" -l capacity -d 'What the disk delivers, for shares of it (bps=20%): KEY=VALUE pairs, as the rates' -r
complete -c ioband -n "__fish_ioband_using_subcommand limit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand limit" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand floor" -l group -d 'The attached group: an id, or a user/group name, cgroup directory or systemd unit or slice name (default: the default group)' -r
complete -c ioband -n "__fish_ioband_using_subcommand floor" -l capacity -d 'What the disk delivers, for shares of it (bps=20%): KEY=VALUE pairs, as the rates' -r
complete -c ioband -n "__fish_ioband_using_subcommand floor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand floor" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand class" -l group -d 'The attached group: an id, or a user/group name, cgroup directory or systemd unit or slice name (default: the default group)' -r
complete -c ioband -n "__fish_ioband_using_subcommand class" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand class" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand attach" -l weight -d 'Also set the new group\'s weight (1 to 1000000)' -r
complete -c ioband -n "__fish_ioband_using_subcommand attach" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand attach" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand detach" -s h -l help -d 'Print help'
complete -c ioband -n "__fish_ioband_using_subcommand detach" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand type" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand type" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand token" -s h -l help -d 'Print help'
complete -c ioband -n "__fish_ioband_using_subcommand token" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand io-throttle" -s h -l help -d 'Print help'
complete -c ioband -n "__fish_ioband_using_subcommand io-throttle" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand io-limit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand io-limit" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand reset" -s h -l help -d 'Print help'
complete -c ioband -n "__fish_ioband_using_subcommand reset" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand table" -l json -d 'Print machine-readable JSON (keys are stable; see `ioband man`)'
complete -c ioband -n "__fish_ioband_using_subcommand table" -l raw -d 'Print exactly what dmsetup prints (`NAME: ` prefixes when several devices print)'
complete -c ioband -n "__fish_ioband_using_subcommand table" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand table" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand exporter" -l listen -d 'Address to serve /metrics on' -r
complete -c ioband -n "__fish_ioband_using_subcommand exporter" -l textfile -d 'Write the metrics to this file instead of serving them' -r -F
complete -c ioband -n "__fish_ioband_using_subcommand exporter" -l interval -d 'Seconds between writes of --textfile' -r
complete -c ioband -n "__fish_ioband_using_subcommand exporter" -l once -d 'Write --textfile once and exit'
complete -c ioband -n "__fish_ioband_using_subcommand exporter" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand exporter" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand status" -l watch -d 'Redraw every SECS seconds (default 2) with rates and achieved shares' -r
complete -c ioband -n "__fish_ioband_using_subcommand status" -l count -d 'Stop after N samples (with --watch)' -r
complete -c ioband -n "__fish_ioband_using_subcommand status" -l json -d 'Print machine-readable JSON (keys are stable; see `ioband man`)'
complete -c ioband -n "__fish_ioband_using_subcommand status" -l raw -d 'Print exactly what dmsetup prints (`NAME: ` prefixes when several devices print)'
complete -c ioband -n "__fish_ioband_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand status" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand ls" -l json -d 'Print JSON'
complete -c ioband -n "__fish_ioband_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand ls" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand targets" -l all -d 'List all loaded device-mapper targets, like `dmsetup targets`'
complete -c ioband -n "__fish_ioband_using_subcommand targets" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand targets" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand version" -s h -l help -d 'Print help'
complete -c ioband -n "__fish_ioband_using_subcommand version" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand apply" -l exit-code-changed -d 'Exit with N instead of 0 when something changed (or would, with --check); e.g. 3' -r
complete -c ioband -n "__fish_ioband_using_subcommand apply" -l lock-timeout -d 'Seconds to wait for another apply to finish (0: do not wait)' -r
complete -c ioband -n "__fish_ioband_using_subcommand apply" -l lock-file -d 'Lock file (default $IOBAND_LOCK, else /run/ioband.lock)' -r -F
complete -c ioband -n "__fish_ioband_using_subcommand apply" -l check -l dry-run -d 'Change nothing: print what would be done ("changed" tells whether anything would)'
complete -c ioband -n "__fish_ioband_using_subcommand apply" -l json -d 'Print one JSON object on standard output: {"changed", "actions", "errors"}; log to stderr'
complete -c ioband -n "__fish_ioband_using_subcommand apply" -l prune -d 'Also remove ioband devices that no profile names'
complete -c ioband -n "__fish_ioband_using_subcommand apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand apply" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand show" -l yaml -d 'Print YAML (the default)'
complete -c ioband -n "__fish_ioband_using_subcommand show" -l json -d 'Print JSON'
complete -c ioband -n "__fish_ioband_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand show" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand schema" -s h -l help -d 'Print help'
complete -c ioband -n "__fish_ioband_using_subcommand schema" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ioband -n "__fish_ioband_using_subcommand completions" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand man" -s h -l help -d 'Print help'
complete -c ioband -n "__fish_ioband_using_subcommand man" -s V -l version -d 'Print version'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "create" -d 'Create an ioband device'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "remove" -d 'Remove ioband devices'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "suspend" -d 'Suspend a device (I/O is queued until it is resumed)'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "resume" -d 'Resume a device (activating a table loaded with `reload`)'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "reload" -d 'Load a new table into a device\'s inactive slot (applied by `resume`)'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "message" -d 'Send a raw target message, dmsetup style (words are passed as given)'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "weight" -d 'Set the weight of the default group, or of group ID'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "write-weight" -d 'Give the writes of the default group, or of group ID, a weight of their own'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "limit" -d 'Cap a group\'s I/O rates (bytes/s, I/O per second), or clear its caps'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "floor" -d 'Guarantee a group minimum I/O rates (bytes/s, I/O per second), or clear its floors'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "class" -d 'Put a group in the idle class (it uses the disk only when the others leave it idle), or back'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "attach" -d 'Attach an ioband group (by uid, gid, pid, pgrp or cgroup, per the device\'s type)'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "detach" -d 'Detach an ioband group'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "type" -d 'Set the group type (decides what attached group ids mean)'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "token" -d 'Set the number of tokens handed out per refill (default 2048)'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "io-throttle" -d 'Set io_throttle: bios in flight before bandwidth control starts (default 4)'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "io-limit" -d 'Set io_limit: bios in flight before all I/O is blocked (default auto: the queue depth below)'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "reset" -d 'Reset a device\'s statistics counters'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "table" -d 'Show the configuration of ioband devices'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "exporter" -d 'Serve the groups\' counters, shares, caps and floors to Prometheus'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "status" -d 'Show per-group statistics, weights and shares of ioband devices'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "ls" -d 'List ioband devices'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "targets" -d 'Tell whether the ioband target is loaded, and its version'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "version" -d 'Print the versions of this tool, the device-mapper driver and the target'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "apply" -d 'Make ioband devices match YAML profiles (create, change, remove)'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "show" -d 'Print the live ioband devices as a profile (`apply` takes it back)'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "schema" -d 'Print the JSON Schema of profiles'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "man" -d 'Print the manual page (roff) to standard output'
complete -c ioband -n "__fish_ioband_using_subcommand help; and not __fish_seen_subcommand_from create remove suspend resume reload message weight write-weight limit floor class attach detach type token io-throttle io-limit reset table exporter status ls targets version apply show schema completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
