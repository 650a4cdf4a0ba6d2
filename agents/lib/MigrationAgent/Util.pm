package MigrationAgent::Util;
# Small helpers shared by the agents.
use strict;
use warnings;
use Exporter 'import';
use POSIX ();

our @EXPORT_OK = qw(in_root resolve_in_root read_text read_lines iso_now iso_date password_from_hash trim
  one_line dir_size_and_count maildir_stats mbox_stats grow_pipe);

# Linux's F_SETPIPE_SZ (fcntl.h; Perl's Fcntl does not export it). Only ever sent on Linux: the
# number means something else, or nothing, elsewhere.
use constant F_SETPIPE_SZ => 1031;
use constant PIPE_BYTES   => 1024 * 1024;

# Makes the pipe $fh writes into 1 MiB deep instead of Linux's 64 KiB, so that a 256 KiB block of
# content goes in with one write and its reader (sshd, openssl) is woken once per block, not four
# times: the agent's, openssl's and sshd's CPU per GB in the content bench fell by about a fifth
# (perl, openssl and a reading cat: 1.77 -> 1.40 s/GB, loaded machine). Not Linux, not a pipe, or
# refused (more than /proc/sys/fs/pipe-max-size): the pipe stays as it was. True when grown.
sub grow_pipe {
    my ($fh) = @_;
    return 0 unless $^O eq 'linux' && defined fileno($fh) && -p $fh;
    return fcntl($fh, F_SETPIPE_SZ, PIPE_BYTES) ? 1 : 0;
}

# Path of a source-system path ($path, absolute as on the source) below --root.
sub in_root {
    my ($root, $path) = @_;
    return $path if !defined $root || $root eq '' || $root eq '/';
    $root =~ s{/+\z}{};
    $path = "/$path" unless $path =~ m{\A/};
    return $root . $path;
}

# Resolves the symbolic links in $path (a path below $root, as in_root() builds it) the way
# the SOURCE system sees them, i.e. as if chrooted to $root: an absolute link target /x is read
# as <root>/x, a relative one against the link's directory, and ".." never climbs above $root.
# Every component is resolved (so a symlinked docroot, Maildir or a symlinked parent directory
# all work); missing components are kept as they are. Returns the resolved host path, or undef
# on a link loop (more than 40 links) or an unreadable link. A $path that is not below $root
# is resolved against / (the host's own view).
sub resolve_in_root {
    my ($root, $path) = @_;
    return undef unless defined $path && length $path;
    $root = '/' if !defined $root || $root eq '';
    (my $r = $root) =~ s{/+\z}{};    # '' for /
    my $rel;
    if ($r eq '') { $rel = $path; $r = '.' unless $path =~ m{\A/}; }
    elsif ($path eq $r || index($path, "$r/") == 0) { $rel = substr($path, length $r); }
    else { ($r, $rel) = ($path =~ m{\A/} ? '' : '.', $path); }
    my @todo = grep { length && $_ ne '.' } split m{/+}, $rel;
    my @done;
    my $links = 0;
    while (@todo) {
        my $c = shift @todo;
        if ($c eq '..') { pop @done; next; }
        my $p = join '/', $r, @done, $c;
        if (-l $p) {
            return undef if ++$links > 40;
            my $t = readlink $p;
            return undef unless defined $t && length $t;
            @done = () if $t =~ m{\A/};
            unshift @todo, grep { length && $_ ne '.' } split m{/+}, $t;
            next;
        }
        push @done, $c;
    }
    return @done ? join('/', $r, @done) : ($r eq '' ? '/' : $r);
}

sub read_text {
    my ($file) = @_;
    open(my $fh, '<:raw', $file) or return undef;
    local $/;
    my $s = <$fh>;
    close $fh;
    return defined $s ? $s : '';
}

sub read_lines {
    my ($file) = @_;
    my $s = read_text($file);
    return () unless defined $s;
    return split /\r?\n/, $s;
}

sub trim { my ($s) = @_; return '' unless defined $s; $s =~ s/\A\s+|\s+\z//g; return $s; }

sub iso_now { return POSIX::strftime('%Y-%m-%dT%H:%M:%SZ', gmtime); }

sub iso_date {
    my ($epoch) = @_;
    return undef unless defined $epoch;
    return POSIX::strftime('%Y-%m-%d', gmtime $epoch);
}

# Describes a stored password: {value, crypted, scheme}. Understands Dovecot's "{SCHEME}"
# prefix and crypt(3) hashes ($1$, $5$, $6$, $2y$, $apr1$ ...). Returns undef for locked or
# empty entries ("*", "!", "!!", "").
sub password_from_hash {
    my ($s) = @_;
    return undef unless defined $s;
    return undef if $s eq '' || $s =~ /\A[!*]/ || $s eq 'x';
    if ($s =~ /\A\{([A-Za-z0-9._-]+)\}(.*)\z/s) {
        my ($scheme, $v) = (uc $1, $2);
        return { value => $v, crypted => 0, scheme => 'PLAIN' } if $scheme eq 'PLAIN' || $scheme eq 'CLEARTEXT';
        return { value => $v, crypted => 1, scheme => $scheme };
    }
    my %by = ('1' => 'MD5-CRYPT', '5' => 'SHA256-CRYPT', '6' => 'SHA512-CRYPT', '2a' => 'BLF-CRYPT',
        '2b' => 'BLF-CRYPT', '2y' => 'BLF-CRYPT', 'apr1' => 'APR1', 'y' => 'YESCRYPT');
    if ($s =~ /\A\$([0-9a-z]+)\$/) {
        return { value => $s, crypted => 1, scheme => ($by{$1} || 'CRYPT') };
    }
    return { value => $s, crypted => 1, scheme => 'MYSQL41' } if $s =~ /\A\*[0-9A-F]{40}\z/;
    return { value => $s, crypted => 1, scheme => 'SHA1' } if $s =~ /\A\{SHA\}/;
    return { value => $s, crypted => 1, scheme => 'CRYPT' };
}

# One printable line for an error message (control characters shown as \n, \xNN).
sub one_line {
    my ($s) = @_;
    $s = '' unless defined $s;
    $s =~ s/\s+\z//;
    $s =~ s/\n/\\n/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/([\x00-\x1f\x7f])/sprintf('\\x%02X', ord $1)/ge;
    return $s;
}

# (bytes, regular-file count) below a directory, symlinks not followed.
sub dir_size_and_count {
    my ($dir) = @_;
    my ($size, $count) = (0, 0);
    my @todo = ($dir);
    while (@todo) {
        my $d = shift @todo;
        opendir(my $dh, $d) or next;
        for my $n (readdir $dh) {
            next if $n eq '.' || $n eq '..';
            my @st = lstat "$d/$n" or next;
            if (-d _) { push @todo, "$d/$n"; }
            elsif (-f _) { $size += $st[7]; $count++; }
        }
        closedir $dh;
    }
    return ($size, $count);
}

# (message count, bytes) of a Maildir: cur/ and new/ of the folder and of its subfolders
# (.Sent, .Trash ...); symlinks not followed.
sub maildir_stats {
    my ($dir) = @_;
    my ($count, $size) = (0, 0);
    my @folders = ($dir);
    if (opendir(my $dh, $dir)) { push @folders, map { "$dir/$_" } grep { /\A\.[^.]/ && -d "$dir/$_" } readdir $dh; closedir $dh; }
    for my $f (@folders) {
        for my $sub ('cur', 'new') {
            opendir(my $dh, "$f/$sub") or next;
            for (readdir $dh) { my @st = lstat "$f/$sub/$_"; next unless @st && -f _; $count++; $size += $st[7]; }
            closedir $dh;
        }
    }
    return ($count, $size);
}

# (message count, bytes) of an mbox file: messages start with a "From " line at the start of
# the file or after an empty line. Read line by line, never whole.
sub mbox_stats {
    my ($file) = @_;
    my @st = lstat $file;
    return (0, 0) unless @st && -f _;
    open(my $fh, '<:raw', $file) or return (0, $st[7]);
    my ($count, $blank) = (0, 1);
    while (my $l = <$fh>) {
        $count++ if $blank && $l =~ /\AFrom /;
        $blank = $l =~ /\A\r?\n\z/ ? 1 : 0;
    }
    close $fh;
    return ($count, $st[7]);
}

1;
