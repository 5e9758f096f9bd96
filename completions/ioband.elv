
use builtin;
use str;

set edit:completion:arg-completer[ioband] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ioband'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ioband'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create an ioband device'
            cand remove 'Remove ioband devices'
            cand suspend 'Suspend a device (I/O is queued until it is resumed)'
            cand resume 'Resume a device (activating a table loaded with `reload`)'
            cand reload 'Load a new table into a device''s inactive slot (applied by `resume`)'
            cand message 'Send a raw target message, dmsetup style (words are passed as given)'
            cand weight 'Set the weight of the default group, or of group ID'
            cand write-weight 'Give the writes of the default group, or of group ID, a weight of their own'
            cand limit 'Cap a group''s I/O rates (bytes/s, I/O per second), or clear its caps'
            cand floor 'Guarantee a group minimum I/O rates (bytes/s, I/O per second), or clear its floors'
            cand class 'Put a group in the idle class (it uses the disk only when the others leave it idle), or back'
            cand attach 'Attach an ioband group (by uid, gid, pid, pgrp or cgroup, per the device''s type)'
            cand detach 'Detach an ioband group'
            cand type 'Set the group type (decides what attached group ids mean)'
            cand token 'Set the number of tokens handed out per refill (default 2048)'
            cand io-throttle 'Set io_throttle: bios in flight before bandwidth control starts (default 4)'
            cand io-limit 'Set io_limit: bios in flight before all I/O is blocked (default auto: the queue depth below)'
            cand reset 'Reset a device''s statistics counters'
            cand table 'Show the configuration of ioband devices'
            cand exporter 'Serve the groups'' counters, shares, caps and floors to Prometheus'
            cand status 'Show per-group statistics, weights and shares of ioband devices'
            cand ls 'List ioband devices'
            cand targets 'Tell whether the ioband target is loaded, and its version'
            cand version 'Print the versions of this tool, the device-mapper driver and the target'
            cand apply 'Make ioband devices match YAML profiles (create, change, remove)'
            cand show 'Print the live ioband devices as a profile (`apply` takes it back)'
            cand schema 'Print the JSON Schema of profiles'
            cand completions 'Print a shell completion script'
            cand man 'Print the manual page (roff) to standard output'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ioband;create'= {
            cand --table 'The table, as dmsetup takes it: ''0 <sectors> ioband <dev> <group> [<io_throttle> [<io_limit>]]'''
            cand --table-file 'Read the table from FILE (''-'' for standard input); one target per line, ''#'' comments'
            cand --group 'Device-group id: devices sharing one disk''s bandwidth use the same id'
            cand --io-throttle 'Bios in flight before bandwidth control starts (default 4; below io_limit)'
            cand --io-limit 'Bios in flight before all I/O is blocked: auto (the default; 128 means auto too) follows the queue depth of the device below, or 2 to 65536'
            cand --weight 'Weight of the default group (default 100; 1 to 1000000)'
            cand --type 'Group type to start with'
            cand --policy 'Scheduling policy (default fair; `default` is the 2008 name of weight)'
            cand --token 'Tokens per refill (default 2048; up to 1073741824)'
            cand --uuid 'Device UUID'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;remove'= {
            cand --retry 'Keep retrying for a few seconds while the device is busy'
            cand --deferred 'If the device is in use, remove it when its last user closes it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;suspend'= {
            cand --noflush 'Do not flush queued I/O before suspending'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;resume'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;reload'= {
            cand --table 'The table, as dmsetup takes it: ''0 <sectors> ioband <dev> <group> [<io_throttle> [<io_limit>]]'''
            cand --table-file 'Read the table from FILE (''-'' for standard input); one target per line, ''#'' comments'
            cand --resume 'Suspend and resume the device afterwards so the table takes effect'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;message'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;weight'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;write-weight'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;limit'= {
            cand --group 'The attached group to cap: an id, or a user/group name, cgroup directory or systemd unit or slice name (default: the default group)'
            cand --capacity 'What the disk delivers, for shares of it (bps=20%): KEY=VALUE pairs, as the rates'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;floor'= {
            cand --group 'The attached group: an id, or a user/group name, cgroup directory or systemd unit or slice name (default: the default group)'
            cand --capacity 'What the disk delivers, for shares of it (bps=20%): KEY=VALUE pairs, as the rates'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;class'= {
            cand --group 'The attached group: an id, or a user/group name, cgroup directory or systemd unit or slice name (default: the default group)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;attach'= {
            cand --weight 'Also set the new group''s weight (1 to 1000000)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;detach'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;type'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;token'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;io-throttle'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;io-limit'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;reset'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;table'= {
            cand --json 'Print machine-readable JSON (keys are stable; see `ioband man`)'
            cand --raw 'Print exactly what dmsetup prints (`NAME: ` prefixes when several devices print)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;exporter'= {
            cand --listen 'Address to serve /metrics on'
            cand --textfile 'Write the metrics to this file instead of serving them'
            cand --interval 'Seconds between writes of --textfile'
            cand --once 'Write --textfile once and exit'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;status'= {
            cand --watch 'Redraw every SECS seconds (default 2) with rates and achieved shares'
            cand --count 'Stop after N samples (with --watch)'
            cand --json 'Print machine-readable JSON (keys are stable; see `ioband man`)'
            cand --raw 'Print exactly what dmsetup prints (`NAME: ` prefixes when several devices print)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;ls'= {
            cand --json 'Print JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;targets'= {
            cand --all 'List all loaded device-mapper targets, like `dmsetup targets`'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;version'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;apply'= {
            cand --exit-code-changed 'Exit with N instead of 0 when something changed (or would, with --check); e.g. 3'
            cand --lock-timeout 'Seconds to wait for another apply to finish (0: do not wait)'
            cand --lock-file 'Lock file (default $IOBAND_LOCK, else /run/ioband.lock)'
            cand --check 'Change nothing: print what would be done ("changed" tells whether anything would)'
            cand --dry-run 'Change nothing: print what would be done ("changed" tells whether anything would)'
            cand --json 'Print one JSON object on standard output: {"changed", "actions", "errors"}; log to stderr'
            cand --prune 'Also remove ioband devices that no profile names'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;show'= {
            cand --yaml 'Print YAML (the default)'
            cand --json 'Print JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;schema'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;completions'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;man'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ioband;help'= {
            cand create 'Create an ioband device'
            cand remove 'Remove ioband devices'
            cand suspend 'Suspend a device (I/O is queued until it is resumed)'
            cand resume 'Resume a device (activating a table loaded with `reload`)'
            cand reload 'Load a new table into a device''s inactive slot (applied by `resume`)'
            cand message 'Send a raw target message, dmsetup style (words are passed as given)'
            cand weight 'Set the weight of the default group, or of group ID'
            cand write-weight 'Give the writes of the default group, or of group ID, a weight of their own'
            cand limit 'Cap a group''s I/O rates (bytes/s, I/O per second), or clear its caps'
            cand floor 'Guarantee a group minimum I/O rates (bytes/s, I/O per second), or clear its floors'
            cand class 'Put a group in the idle class (it uses the disk only when the others leave it idle), or back'
            cand attach 'Attach an ioband group (by uid, gid, pid, pgrp or cgroup, per the device''s type)'
            cand detach 'Detach an ioband group'
            cand type 'Set the group type (decides what attached group ids mean)'
            cand token 'Set the number of tokens handed out per refill (default 2048)'
            cand io-throttle 'Set io_throttle: bios in flight before bandwidth control starts (default 4)'
            cand io-limit 'Set io_limit: bios in flight before all I/O is blocked (default auto: the queue depth below)'
            cand reset 'Reset a device''s statistics counters'
            cand table 'Show the configuration of ioband devices'
            cand exporter 'Serve the groups'' counters, shares, caps and floors to Prometheus'
            cand status 'Show per-group statistics, weights and shares of ioband devices'
            cand ls 'List ioband devices'
            cand targets 'Tell whether the ioband target is loaded, and its version'
            cand version 'Print the versions of this tool, the device-mapper driver and the target'
            cand apply 'Make ioband devices match YAML profiles (create, change, remove)'
            cand show 'Print the live ioband devices as a profile (`apply` takes it back)'
            cand schema 'Print the JSON Schema of profiles'
            cand completions 'Print a shell completion script'
            cand man 'Print the manual page (roff) to standard output'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ioband;help;create'= {
        }
        &'ioband;help;remove'= {
        }
        &'ioband;help;suspend'= {
        }
        &'ioband;help;resume'= {
        }
        &'ioband;help;reload'= {
        }
        &'ioband;help;message'= {
        }
        &'ioband;help;weight'= {
        }
        &'ioband;help;write-weight'= {
        }
        &'ioband;help;limit'= {
        }
        &'ioband;help;floor'= {
        }
        &'ioband;help;class'= {
        }
        &'ioband;help;attach'= {
        }
        &'ioband;help;detach'= {
        }
        &'ioband;help;type'= {
        }
        &'ioband;help;token'= {
        }
        &'ioband;help;io-throttle'= {
        }
        &'ioband;help;io-limit'= {
        }
        &'ioband;help;reset'= {
        }
        &'ioband;help;table'= {
        }
        &'ioband;help;exporter'= {
        }
        &'ioband;help;status'= {
        }
        &'ioband;help;ls'= {
        }
        &'ioband;help;targets'= {
        }
        &'ioband;help;version'= {
        }
        &'ioband;help;apply'= {
        }
        &'ioband;help;show'= {
        }
        &'ioband;help;schema'= {
        }
        &'ioband;help;completions'= {
        }
        &'ioband;help;man'= {
        }
        &'ioband;help;help'= {
        }
    ]
    $completions[$command]
}
