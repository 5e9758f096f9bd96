
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ioband' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ioband'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'ioband' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an ioband device')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove ioband devices')
            [CompletionResult]::new('suspend', 'suspend', [CompletionResultType]::ParameterValue, 'Suspend a device (I/O is queued until it is resumed)')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Resume a device (activating a table loaded with `reload`)')
            [CompletionResult]::new('reload', 'reload', [CompletionResultType]::ParameterValue, 'Load a new table into a device''s inactive slot (applied by `resume`)')
            [CompletionResult]::new('message', 'message', [CompletionResultType]::ParameterValue, 'Send a raw target message, dmsetup style (words are passed as given)')
            [CompletionResult]::new('weight', 'weight', [CompletionResultType]::ParameterValue, 'Set the weight of the default group, or of group ID')
            [CompletionResult]::new('write-weight', 'write-weight', [CompletionResultType]::ParameterValue, 'Give the writes of the default group, or of group ID, a weight of their own')
            [CompletionResult]::new('limit', 'limit', [CompletionResultType]::ParameterValue, 'Cap a group''s I/O rates (bytes/s, I/O per second), or clear its caps')
            [CompletionResult]::new('floor', 'floor', [CompletionResultType]::ParameterValue, 'Guarantee a group minimum I/O rates (bytes/s, I/O per second), or clear its floors')
            [CompletionResult]::new('class', 'class', [CompletionResultType]::ParameterValue, 'Put a group in the idle class (it uses the disk only when the others leave it idle), or back')
            [CompletionResult]::new('attach', 'attach', [CompletionResultType]::ParameterValue, 'Attach an ioband group (by uid, gid, pid, pgrp or cgroup, per the device''s type)')
            [CompletionResult]::new('detach', 'detach', [CompletionResultType]::ParameterValue, 'Detach an ioband group')
            [CompletionResult]::new('type', 'type', [CompletionResultType]::ParameterValue, 'Set the group type (decides what attached group ids mean)')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Set the number of tokens handed out per refill (default 2048)')
            [CompletionResult]::new('io-throttle', 'io-throttle', [CompletionResultType]::ParameterValue, 'Set io_throttle: bios in flight before bandwidth control starts (default 4)')
            [CompletionResult]::new('io-limit', 'io-limit', [CompletionResultType]::ParameterValue, 'Set io_limit: bios in flight before all I/O is blocked (default auto: the queue depth below)')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Reset a device''s statistics counters')
            [CompletionResult]::new('table', 'table', [CompletionResultType]::ParameterValue, 'Show the configuration of ioband devices')
            [CompletionResult]::new('exporter', 'exporter', [CompletionResultType]::ParameterValue, 'Serve the groups'' counters, shares, caps and floors to Prometheus')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show per-group statistics, weights and shares of ioband devices')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List ioband devices')
            [CompletionResult]::new('targets', 'targets', [CompletionResultType]::ParameterValue, 'Tell whether the ioband target is loaded, and its version')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the versions of this tool, the device-mapper driver and the target')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Make ioband devices match YAML profiles (create, change, remove)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the live ioband devices as a profile (`apply` takes it back)')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of profiles')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff) to standard output')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ioband;create' {
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'The table, as dmsetup takes it: ''0 <sectors> ioband <dev> <group> [<io_throttle> [<io_limit>]]''')
            [CompletionResult]::new('--table-file', '--table-file', [CompletionResultType]::ParameterName, 'Read the table from FILE (''-'' for standard input); one target per line, ''#'' comments')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Device-group id: devices sharing one disk''s bandwidth use the same id')
            [CompletionResult]::new('--io-throttle', '--io-throttle', [CompletionResultType]::ParameterName, 'Bios in flight before bandwidth control starts (default 4; below io_limit)')
            [CompletionResult]::new('--io-limit', '--io-limit', [CompletionResultType]::ParameterName, 'Bios in flight before all I/O is blocked: auto (the default; 128 means auto too) follows the queue depth of the device below, or 2 to 65536')
            [CompletionResult]::new('--weight', '--weight', [CompletionResultType]::ParameterName, 'Weight of the default group (default 100; 1 to 1000000)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Group type to start with')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Scheduling policy (default fair; `default` is the 2008 name of weight)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Tokens per refill (default 2048; up to 1073741824)')
            [CompletionResult]::new('--uuid', '--uuid', [CompletionResultType]::ParameterName, 'Device UUID')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;remove' {
            [CompletionResult]::new('--retry', '--retry', [CompletionResultType]::ParameterName, 'Keep retrying for a few seconds while the device is busy')
            [CompletionResult]::new('--deferred', '--deferred', [CompletionResultType]::ParameterName, 'If the device is in use, remove it when its last user closes it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;suspend' {
            [CompletionResult]::new('--noflush', '--noflush', [CompletionResultType]::ParameterName, 'Do not flush queued I/O before suspending')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;resume' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;reload' {
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'The table, as dmsetup takes it: ''0 <sectors> ioband <dev> <group> [<io_throttle> [<io_limit>]]''')
            [CompletionResult]::new('--table-file', '--table-file', [CompletionResultType]::ParameterName, 'Read the table from FILE (''-'' for standard input); one target per line, ''#'' comments')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Suspend and resume the device afterwards so the table takes effect')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;message' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;weight' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;write-weight' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;limit' {
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The attached group to cap: an id, or a user/group name, cgroup directory or systemd unit or slice name (default: the default group)')
            [CompletionResult]::new('--capacity', '--capacity', [CompletionResultType]::ParameterName, 'What the disk delivers, for shares of it (bps=20%): KEY=VALUE pairs, as the rates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;floor' {
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The attached group: an id, or a user/group name, cgroup directory or systemd unit or slice name (default: the default group)')
            [CompletionResult]::new('--capacity', '--capacity', [CompletionResultType]::ParameterName, 'What the disk delivers, for shares of it (bps=20%): KEY=VALUE pairs, as the rates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;class' {
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The attached group: an id, or a user/group name, cgroup directory or systemd unit or slice name (default: the default group)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;attach' {
            [CompletionResult]::new('--weight', '--weight', [CompletionResultType]::ParameterName, 'Also set the new group''s weight (1 to 1000000)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;detach' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;type' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;token' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;io-throttle' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;io-limit' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;reset' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;table' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (keys are stable; see `ioband man`)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print exactly what dmsetup prints (`NAME: ` prefixes when several devices print)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;exporter' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to serve /metrics on')
            [CompletionResult]::new('--textfile', '--textfile', [CompletionResultType]::ParameterName, 'Write the metrics to this file instead of serving them')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Seconds between writes of --textfile')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Write --textfile once and exit')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;status' {
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw every SECS seconds (default 2) with rates and achieved shares')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N samples (with --watch)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (keys are stable; see `ioband man`)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print exactly what dmsetup prints (`NAME: ` prefixes when several devices print)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;ls' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;targets' {
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'List all loaded device-mapper targets, like `dmsetup targets`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;version' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;apply' {
            [CompletionResult]::new('--exit-code-changed', '--exit-code-changed', [CompletionResultType]::ParameterName, 'Exit with N instead of 0 when something changed (or would, with --check); e.g. 3')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another apply to finish (0: do not wait)')
            [CompletionResult]::new('--lock-file', '--lock-file', [CompletionResultType]::ParameterName, 'Lock file (default $IOBAND_LOCK, else /run/ioband.lock)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Change nothing: print what would be done ("changed" tells whether anything would)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print what would be done ("changed" tells whether anything would)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on standard output: {"changed", "actions", "errors"}; log to stderr')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Also remove ioband devices that no profile names')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;show' {
            [CompletionResult]::new('--yaml', '--yaml', [CompletionResultType]::ParameterName, 'Print YAML (the default)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;schema' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ioband;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an ioband device')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove ioband devices')
            [CompletionResult]::new('suspend', 'suspend', [CompletionResultType]::ParameterValue, 'Suspend a device (I/O is queued until it is resumed)')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Resume a device (activating a table loaded with `reload`)')
            [CompletionResult]::new('reload', 'reload', [CompletionResultType]::ParameterValue, 'Load a new table into a device''s inactive slot (applied by `resume`)')
            [CompletionResult]::new('message', 'message', [CompletionResultType]::ParameterValue, 'Send a raw target message, dmsetup style (words are passed as given)')
            [CompletionResult]::new('weight', 'weight', [CompletionResultType]::ParameterValue, 'Set the weight of the default group, or of group ID')
            [CompletionResult]::new('write-weight', 'write-weight', [CompletionResultType]::ParameterValue, 'Give the writes of the default group, or of group ID, a weight of their own')
            [CompletionResult]::new('limit', 'limit', [CompletionResultType]::ParameterValue, 'Cap a group''s I/O rates (bytes/s, I/O per second), or clear its caps')
            [CompletionResult]::new('floor', 'floor', [CompletionResultType]::ParameterValue, 'Guarantee a group minimum I/O rates (bytes/s, I/O per second), or clear its floors')
            [CompletionResult]::new('class', 'class', [CompletionResultType]::ParameterValue, 'Put a group in the idle class (it uses the disk only when the others leave it idle), or back')
            [CompletionResult]::new('attach', 'attach', [CompletionResultType]::ParameterValue, 'Attach an ioband group (by uid, gid, pid, pgrp or cgroup, per the device''s type)')
            [CompletionResult]::new('detach', 'detach', [CompletionResultType]::ParameterValue, 'Detach an ioband group')
            [CompletionResult]::new('type', 'type', [CompletionResultType]::ParameterValue, 'Set the group type (decides what attached group ids mean)')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Set the number of tokens handed out per refill (default 2048)')
            [CompletionResult]::new('io-throttle', 'io-throttle', [CompletionResultType]::ParameterValue, 'Set io_throttle: bios in flight before bandwidth control starts (default 4)')
            [CompletionResult]::new('io-limit', 'io-limit', [CompletionResultType]::ParameterValue, 'Set io_limit: bios in flight before all I/O is blocked (default auto: the queue depth below)')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Reset a device''s statistics counters')
            [CompletionResult]::new('table', 'table', [CompletionResultType]::ParameterValue, 'Show the configuration of ioband devices')
            [CompletionResult]::new('exporter', 'exporter', [CompletionResultType]::ParameterValue, 'Serve the groups'' counters, shares, caps and floors to Prometheus')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show per-group statistics, weights and shares of ioband devices')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List ioband devices')
            [CompletionResult]::new('targets', 'targets', [CompletionResultType]::ParameterValue, 'Tell whether the ioband target is loaded, and its version')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the versions of this tool, the device-mapper driver and the target')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Make ioband devices match YAML profiles (create, change, remove)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the live ioband devices as a profile (`apply` takes it back)')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of profiles')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff) to standard output')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ioband;help;create' {
            break
        }
        'ioband;help;remove' {
            break
        }
        'ioband;help;suspend' {
            break
        }
        'ioband;help;resume' {
            break
        }
        'ioband;help;reload' {
            break
        }
        'ioband;help;message' {
            break
        }
        'ioband;help;weight' {
            break
        }
        'ioband;help;write-weight' {
            break
        }
        'ioband;help;limit' {
            break
        }
        'ioband;help;floor' {
            break
        }
        'ioband;help;class' {
            break
        }
        'ioband;help;attach' {
            break
        }
        'ioband;help;detach' {
            break
        }
        'ioband;help;type' {
            break
        }
        'ioband;help;token' {
            break
        }
        'ioband;help;io-throttle' {
            break
        }
        'ioband;help;io-limit' {
            break
        }
        'ioband;help;reset' {
            break
        }
        'ioband;help;table' {
            break
        }
        'ioband;help;exporter' {
            break
        }
        'ioband;help;status' {
            break
        }
        'ioband;help;ls' {
            break
        }
        'ioband;help;targets' {
            break
        }
        'ioband;help;version' {
            break
        }
        'ioband;help;apply' {
            break
        }
        'ioband;help;show' {
            break
        }
        'ioband;help;schema' {
            break
        }
        'ioband;help;completions' {
            break
        }
        'ioband;help;man' {
            break
        }
        'ioband;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
