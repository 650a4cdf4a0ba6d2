package MigrationAgent::IDN;
# Domain names in both IDN forms: punycode (RFC 3492) and UTF-8. Lower-cases and drops a
# trailing dot; it does not apply the full UTS #46 mapping (enough to match names, not to
# validate them). Functions take and return byte strings (UTF-8).
use strict;
use warnings;
use Encode ();
use MigrationAgent::XMLWriter ();

use constant { BASE => 36, TMIN => 1, TMAX => 26, SKEW => 38, DAMP => 700, IBIAS => 72, INITIAL_N => 128 };

sub _adapt {
    my ($delta, $numpoints, $first) = @_;
    $delta = $first ? int($delta / DAMP) : int($delta / 2);
    $delta += int($delta / $numpoints);
    my $k = 0;
    while ($delta > int(((BASE - TMIN) * TMAX) / 2)) {
        $delta = int($delta / (BASE - TMIN));
        $k += BASE;
    }
    return $k + int(((BASE - TMIN + 1) * $delta) / ($delta + SKEW));
}

sub _t {
    my ($k, $bias) = @_;
    return $k <= $bias ? TMIN : $k >= $bias + TMAX ? TMAX : $k - $bias;
}

sub _digit { my ($d) = @_; return chr($d < 26 ? $d + 97 : $d + 22); }

# characters in, ASCII out
sub punycode_encode {
    my ($label) = @_;
    my @cp = map { ord } split //, $label;
    my ($n, $delta, $bias) = (INITIAL_N, 0, IBIAS);
    my $out = join '', map { chr } grep { $_ < 128 } @cp;
    my $b = length $out;
    my $h = $b;
    $out .= '-' if $b;
    while ($h < @cp) {
        my $m;
        for (@cp) { $m = $_ if $_ >= $n && (!defined $m || $_ < $m); }
        $delta += ($m - $n) * ($h + 1);
        $n = $m;
        for my $c (@cp) {
            $delta++ if $c < $n;
            next unless $c == $n;
            my $q = $delta;
            for (my $k = BASE; ; $k += BASE) {
                my $t = _t($k, $bias);
                last if $q < $t;
                $out .= _digit($t + ($q - $t) % (BASE - $t));
                $q = int(($q - $t) / (BASE - $t));
            }
            $out .= _digit($q);
            $bias = _adapt($delta, $h + 1, $h == $b);
            $delta = 0;
            $h++;
        }
        $delta++;
        $n++;
    }
    return $out;
}

# ASCII in, characters out; dies on bad input
sub punycode_decode {
    my ($in) = @_;
    my ($n, $i, $bias) = (INITIAL_N, 0, IBIAS);
    my @out;
    my $pos = rindex($in, '-');
    if ($pos > 0) { @out = map { ord } split //, substr($in, 0, $pos); $in = substr($in, $pos + 1); }
    my $p = 0;
    while ($p < length $in) {
        my ($oldi, $w) = ($i, 1);
        for (my $k = BASE; ; $k += BASE) {
            die "bad punycode\n" if $p >= length $in;
            my $c = ord substr($in, $p++, 1);
            my $d = $c >= 48 && $c < 58 ? $c - 22 : $c >= 65 && $c < 91 ? $c - 65
              : $c >= 97 && $c < 123 ? $c - 97 : die "bad punycode\n";
            $i += $d * $w;
            my $t = _t($k, $bias);
            last if $d < $t;
            $w *= BASE - $t;
        }
        $bias = _adapt($i - $oldi, @out + 1, $oldi == 0);
        $n += int($i / (@out + 1));
        $i %= (@out + 1);
        die "bad punycode\n" if $n > 0x10FFFF;
        splice @out, $i, 0, $n;
        $i++;
    }
    return join '', map { chr } @out;
}

sub _labels {
    my ($name) = @_;
    my $s = MigrationAgent::XMLWriter::to_chars($name);
    $s =~ s/\.\z//;
    return split /\./, lc $s, -1;
}

sub to_ascii {
    my ($name) = @_;
    return '' unless defined $name;
    my @l = map { /[^\x00-\x7f]/ ? 'xn--' . punycode_encode($_) : $_ } _labels($name);
    return join '.', @l;
}

sub to_unicode {
    my ($name) = @_;
    return '' unless defined $name;
    my @l = map {
        my $l = $_;
        if ($l =~ /\Axn--(.+)\z/) { my $u = eval { punycode_decode($1) }; $l = $u if defined $u; }
        $l;
    } _labels($name);
    return Encode::encode('UTF-8', join '.', @l);
}

# true when two names denote the same domain (case, trailing dot and IDN form ignored)
sub same {
    my ($a, $b) = @_;
    return to_ascii($a) eq to_ascii($b);
}

1;
