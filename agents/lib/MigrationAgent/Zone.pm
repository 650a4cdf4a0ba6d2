package MigrationAgent::Zone;
# Reader for DNS master files (RFC 1035 section 5, as BIND writes them): $ORIGIN, $TTL,
# $INCLUDE, "@", relative and absolute names, omitted owners, optional TTL and class in
# either order, TTL units (1h30m, 1W), multi-line records in parentheses, ";" comments,
# quoted strings with backslash escapes. Names keep the case the file wrote.
use strict;
use warnings;
use MigrationAgent::Util qw(in_root read_text);

my %CLASS = map { $_ => 1 } qw(IN CH HS CS);

sub parse_ttl {
    my ($s) = @_;
    return undef unless defined $s;
    return $s + 0 if $s =~ /\A\d+\z/;
    return undef unless $s =~ /\A(?:\d+[smhdwSMHDW])+\z/;
    my %mul = (s => 1, m => 60, h => 3600, d => 86400, w => 604800);
    my $t = 0;
    $t += $1 * $mul{ lc $2 } while $s =~ /(\d+)([smhdwSMHDW])/g;
    return $t;
}

sub absolute {
    my ($name, $origin) = @_;
    return $origin if $name eq '@';
    return $name if $name =~ /(?<!\\)\.\z/;
    return "$name.$origin" if $origin ne '.';
    return "$name.";
}

sub relative {
    my ($name, $origin) = @_;
    return '@' if lc $name eq lc $origin;
    my $suffix = ".$origin";
    if (length $name > length $suffix && lc(substr($name, -length $suffix)) eq lc $suffix) {
        return substr($name, 0, length($name) - length($suffix));
    }
    return $name;
}

# Splits master-file text into logical lines: [ leading_blank, [ {t, q}, ... ] ].
sub _logical_lines {
    my ($text) = @_;
    my @lines;
    my ($depth, $tokens, $blank_owner, $cur, $have) = (0, [], 0, '', 0);
    my $bol = 1;    # at the beginning of a physical line that starts a logical line
    my $len = length $text;
    my $flush_tok = sub { if ($have) { push @$tokens, { t => $cur, q => 0 }; $cur = ''; $have = 0; } };
    for (my $i = 0; $i < $len; $i++) {
        my $c = substr($text, $i, 1);
        if ($bol) {
            $bol = 0;
            if ($depth == 0 && ($c eq ' ' || $c eq "\t")) { $blank_owner = 1; }
        }
        if ($c eq '"') {
            $flush_tok->();
            my $s = '';
            $i++;
            while ($i < $len) {
                my $d = substr($text, $i, 1);
                if ($d eq '\\' && $i + 1 < $len) {
                    my $rest = substr($text, $i + 1, 3);
                    if ($rest =~ /\A(\d{3})/) { $s .= chr($1); $i += 4; next; }
                    $s .= substr($text, $i + 1, 1); $i += 2; next;
                }
                last if $d eq '"';
                $s .= $d;
                $i++;
            }
            push @$tokens, { t => $s, q => 1 };
        }
        elsif ($c eq ';') {
            $i++ while $i + 1 < $len && substr($text, $i + 1, 1) ne "\n";
        }
        elsif ($c eq '(') { $flush_tok->(); $depth++; }
        elsif ($c eq ')') { $flush_tok->(); $depth-- if $depth > 0; }
        elsif ($c eq "\n") {
            $flush_tok->();
            $bol = 1;
            if ($depth == 0) {
                push @lines, [$blank_owner, $tokens] if @$tokens;
                ($tokens, $blank_owner) = ([], 0);
            }
        }
        elsif ($c eq ' ' || $c eq "\t" || $c eq "\r") { $flush_tok->(); }
        elsif ($c eq '\\' && $i + 1 < $len) { $cur .= $c . substr($text, ++$i, 1); $have = 1; }
        else { $cur .= $c; $have = 1; }
    }
    $flush_tok->();
    push @lines, [$blank_owner, $tokens] if @$tokens;
    return @lines;
}

# parse(file => $path_on_disk, origin => 'example.com.', root => $root)
# Returns { origin, ttl, soa => {...} | undef, records => [ {host, name, type, ttl, priority,
# weight, port, data} ] }.
sub parse {
    my (%a) = @_;
    my $origin = $a{origin};
    $origin .= '.' unless $origin =~ /\.\z/;
    my $state = { origin => $origin, ttl => undef, last_owner => $origin, soa => undef, records => [],
        zone => $origin, root => $a{root}, depth => 0 };
    my $text = read_text($a{file});
    die "cannot read zone file $a{display}: $!\n" unless defined $text;
    _parse_text($state, $text);
    my $default = defined $state->{ttl} ? $state->{ttl} : $state->{soa} ? $state->{soa}{minimum} : undef;
    for my $r (@{ $state->{records} }) { $r->{ttl} = $default unless defined $r->{ttl}; }
    return { origin => $origin, ttl => $default, soa => $state->{soa}, records => $state->{records} };
}

sub _parse_text {
    my ($st, $text) = @_;
    for my $line (_logical_lines($text)) {
        my ($blank, $toks) = @$line;
        my @t = @$toks;
        my $first = $t[0]{t};
        if (!$blank && !$t[0]{q} && $first =~ /\A\$/) {
            my $dir = uc $first;
            if ($dir eq '$ORIGIN' && @t > 1) { $st->{origin} = absolute($t[1]{t}, $st->{origin}); }
            elsif ($dir eq '$TTL' && @t > 1) { $st->{ttl} = parse_ttl($t[1]{t}); }
            elsif ($dir eq '$INCLUDE' && @t > 1) {
                die "zone \$INCLUDE nested too deeply\n" if $st->{depth} > 10;
                my $saved = $st->{origin};
                $st->{origin} = absolute($t[2]{t}, $saved) if @t > 2;
                my $inc = read_text(in_root($st->{root}, $t[1]{t}));
                die "cannot read included zone file $t[1]{t}\n" unless defined $inc;
                $st->{depth}++;
                _parse_text($st, $inc);
                $st->{depth}--;
                $st->{origin} = $saved;
            }
            next;
        }
        my $owner;
        if ($blank) { $owner = $st->{last_owner}; }
        else { $owner = absolute((shift @t)->{t}, $st->{origin}); $st->{last_owner} = $owner; }
        my $ttl;
        while (@t && !$t[0]{q}) {
            if ($CLASS{ uc $t[0]{t} }) { shift @t; next; }
            if (defined(my $v = parse_ttl($t[0]{t}))) { $ttl = $v; shift @t; next; }
            last;
        }
        next unless @t;
        my $type = uc((shift @t)->{t});
        my @d = map { $_->{t} } @t;
        my $abs = sub { absolute($_[0], $st->{origin}) };
        if ($type eq 'SOA') {
            my @n = map { parse_ttl($_) } @d[2 .. 6];
            $st->{soa} = { primaryNs => $abs->($d[0]), hostmaster => $abs->($d[1]), serial => $d[2],
                refresh => $n[1], retry => $n[2], expire => $n[3], minimum => $n[4], ttl => $ttl };
            next;
        }
        my %r = (name => $owner, host => relative($owner, $st->{zone}), type => $type, ttl => $ttl);
        if ($type =~ /\A(?:NS|CNAME|PTR|DNAME)\z/ && @d) { $r{data} = $abs->($d[0]); }
        elsif ($type eq 'MX' && @d >= 2) { $r{priority} = $d[0]; $r{data} = $abs->($d[1]); }
        elsif ($type eq 'SRV' && @d >= 4) {
            @r{qw(priority weight port)} = @d[0 .. 2];
            $r{data} = $d[3] eq '.' ? '.' : $abs->($d[3]);
        }
        elsif ($type eq 'TXT' || $type eq 'SPF') { $r{data} = join '', @d; }
        else {
            $r{data} = join ' ', map {
                my $x = $_->{t};
                if ($_->{q}) { $x =~ s/(["\\])/\\$1/g; $x = qq{"$x"}; }
                $x;
            } @t;
        }
        push @{ $st->{records} }, \%r;
    }
    return;
}

# Zone statements of a named.conf-style file: list of {name, type, file}. Follows include.
sub named_conf_zones {
    my (%a) = @_;    # file (on disk), root, depth
    my $text = read_text($a{file});
    return () unless defined $text;
    $text =~ s{/\*.*?\*/}{ }gs;
    my @toks;
    while ($text =~ /\G(?:\s+|(?:\/\/|\#)[^\n]*|"((?:[^"\\]|\\.)*)"|([{};])|([^\s{};"]+))/gc) {
        if (defined $1) { push @toks, ['s', $1]; }
        elsif (defined $2) { push @toks, ['p', $2]; }
        elsif (defined $3) { push @toks, ['w', $3]; }
    }
    my @zones;
    my $depth = 0;
    for (my $i = 0; $i < @toks; $i++) {
        my ($k, $v) = @{ $toks[$i] };
        if ($k eq 'p') { $depth++ if $v eq '{'; $depth-- if $v eq '}'; next; }
        if ($depth == 0 && $k eq 'w' && $v eq 'include' && $i + 1 < @toks && ($a{depth} || 0) < 8) {
            push @zones, named_conf_zones(file => in_root($a{root}, $toks[$i + 1][1]), root => $a{root},
                depth => ($a{depth} || 0) + 1);
            next;
        }
        next unless $depth == 0 && $k eq 'w' && $v eq 'zone' && $i + 1 < @toks;
        my %z = (name => $toks[$i + 1][1]);
        my $j = $i + 2;
        $j++ while $j < @toks && !($toks[$j][0] eq 'p' && $toks[$j][1] eq '{');
        my $d = 0;
        for (; $j < @toks; $j++) {
            my ($kk, $vv) = @{ $toks[$j] };
            if ($kk eq 'p') { $d++ if $vv eq '{'; $d-- if $vv eq '}'; last if $d == 0; next; }
            next unless $d == 1 && $kk eq 'w' && $j + 1 < @toks;
            $z{type} = $toks[$j + 1][1] if $vv eq 'type';
            $z{file} = $toks[$j + 1][1] if $vv eq 'file';
        }
        $i = $j;
        push @zones, \%z;
    }
    return @zones;
}

1;
