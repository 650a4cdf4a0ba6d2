package MigrationAgent::Tar;
# Streaming POSIX ustar writer with a SHA-256 manifest.
#
# Files are copied in 256 KiB blocks and hashed on the way, so a file of any size never sits
# in memory. Names that do not fit ustar's name/prefix fields, link targets over 100 bytes
# and sizes of 8 GiB or more get a POSIX pax extended header ('x'), which GNU tar, bsdtar
# and node tar readers understand.
#
# finish() appends MANIFEST.sha256 as the LAST member: one line per regular file, in
# archive order, in sha256sum(1) format "<hex>  <name>\n" (names containing a backslash or
# a newline are written as sha256sum does: the line starts with "\" and the name has "\\"
# and "\n" escapes). Symbolic links are stored as links, never followed.
use strict;
use warnings;
use Digest::SHA ();
use Fcntl qw(:mode O_RDONLY);
use MigrationAgent::PipeSHA ();
use MigrationAgent::Util ();

use constant BLOCK => 262144;
# Output leaves in pieces of at least this size (headers and small files gathered): a Maildir is
# mostly 512-byte headers and small messages, and each write wakes the reader (sshd) once.
use constant FLUSH_AT => 262144;
use constant MANIFEST_NAME => 'MANIFEST.sha256';
use constant NOFOLLOW => eval { Fcntl::O_NOFOLLOW() } || 0;
use constant NONBLOCK => eval { Fcntl::O_NONBLOCK() } || 0;

sub _warn {
    my ($msg) = @_;
    print STDERR 'agent.pl: warning: ' . MigrationAgent::Util::one_line($msg) . "\n";
    return;
}

sub new {
    my ($class, $fh) = @_;
    binmode $fh;
    # A real file descriptor (a pipe to sshd, a file) is written with syswrite: print through
    # PerlIO would hand it 8 KiB at a time whatever the size of the string. A tied handle (the
    # SOAP server's chunked body) keeps print.
    my $sys = defined fileno($fh) && fileno($fh) >= 0 && !tied(*$fh);
    if ($sys) { my $old = select($fh); $| = 1; select($old); }    # flushes anything printed before
    return bless { fh => $fh, sys => $sys, out => '', manifest => '', files => 0, bytes => 0 }, $class;
}

sub _write {
    my ($self, $data) = @_;
    return if $self->{mute};    # a member the receiver already holds (resume_after)
    $self->{bytes} += length $data;
    if ($self->{out} eq '' && length $data >= FLUSH_AT) { $self->_send($data); return; }
    $self->{out} .= $data;
    $self->_flush if length $self->{out} >= FLUSH_AT;
    return;
}

sub _flush {
    my ($self) = @_;
    return if $self->{out} eq '';
    $self->_send($self->{out});
    $self->{out} = '';
    return;
}

sub _send {
    my ($self, $data) = @_;
    my $fh = $self->{fh};
    if (!$self->{sys}) { print {$fh} $data or die "cannot write the archive: $!\n"; return; }
    my ($off, $len) = (0, length $data);
    while ($off < $len) {
        my $n = syswrite($fh, $data, $len - $off, $off);
        die "cannot write the archive: $!\n" unless defined $n;
        $off += $n;
    }
    return;
}

# Resuming an interrupted transfer: the receiver already holds every regular file up to and
# including the member $name (in archive order), so their headers and data are not written
# again. They are still read and hashed: the manifest lists every file, and a file that
# changed since the interrupted attempt shows as a manifest mismatch on the receiver.
# Directories and symlinks are always written (no data; tar sets their times again).
sub resume_after {
    my ($self, $name) = @_;
    $self->{skip_through} = $name;
    return;
}

# Resuming inside a file: the receiver holds the first $offset bytes of $name, the regular file
# that comes next (after the resume_after point, or first of all). Its remaining bytes are sent
# as the member TAIL_NAME (its mode and mtime, size minus $offset) for the receiver to append;
# the whole file is still read and hashed, so the manifest has the whole file's SHA-256.
use constant TAIL_NAME => '.mm-resume-tail';

sub resume_inside {
    my ($self, $name, $offset) = @_;
    @{$self}{qw(tail_of tail_from)} = ($name, $offset);
    return;
}

sub _octal {
    my ($value, $width) = @_;    # width includes the terminating NUL
    return sprintf('%0*o', $width - 1, $value) . "\0";
}

sub _pax_record {
    my ($key, $value) = @_;
    my $body = " $key=$value
";
    my $n = length $body;
    my $d = length $n;
    $d++ while length($n + $d) > $d;
    return ($n + $d) . $body;
}

sub _split_name {
    my ($name) = @_;
    return ('', $name) if length $name <= 100;
    for my $i (0 .. length($name) - 2) {
        next unless substr($name, $i, 1) eq '/';
        next if $i > 155;
        return (substr($name, 0, $i), substr($name, $i + 1)) if length($name) - $i - 1 <= 100;
    }
    return ();
}

sub _header {
    my ($self, %h) = @_;
    my $name = $h{name};
    utf8::encode($name) if utf8::is_utf8($name);
    my $link = defined $h{link} ? $h{link} : '';
    utf8::encode($link) if utf8::is_utf8($link);
    my @split = _split_name($name);
    my %pax;
    if (!@split) { $pax{path} = $name; @split = ('', substr($name, 0, 100)); }
    if (length $link > 100) { $pax{linkpath} = $link; $link = substr($link, 0, 100); }
    my $size = $h{size} || 0;
    if ($size >= 8**11) { $pax{size} = $size; }
    if (%pax) {
        my $data = join '', map { _pax_record($_, $pax{$_}) } sort keys %pax;
        my $pname = 'PaxHeaders/' . substr($split[1], 0, 80);
        $self->_raw_header(name => $pname, prefix => '', mode => 0644, uid => 0, gid => 0,
            size => length $data, mtime => $h{mtime}, type => 'x', link => '');
        $self->_write($data . ("\0" x ((512 - length($data) % 512) % 512)));
    }
    $self->_raw_header(%h, prefix => $split[0], name => $split[1], link => $link,
        size => ($size >= 8**11 ? 0 : $size));
    return;
}

sub _raw_header {
    my ($self, %h) = @_;
    my $hdr = pack('a100 a8 a8 a8 a12 a12 A8 a1 a100 a6 a2 a32 a32 a8 a8 a155 a12',
        $h{name}, _octal($h{mode} & 07777, 8), _octal($h{uid} & 07777777, 8),
        _octal($h{gid} & 07777777, 8), _octal($h{size}, 12), _octal($h{mtime} || 0, 12),
        ' ' x 8, $h{type}, $h{link}, "ustar\0", '00', $h{uname} || '', $h{gname} || '',
        _octal(0, 8), _octal(0, 8), $h{prefix}, '');
    my $sum = unpack('%32C*', $hdr);
    substr($hdr, 148, 8) = sprintf('%06o', $sum) . "\0 ";
    $self->_write($hdr);
    return;
}

sub _manifest_line {
    my ($self, $hex, $name) = @_;
    utf8::encode($name) if utf8::is_utf8($name);
    if ($name =~ /[\\\n]/) {
        (my $esc = $name) =~ s/\\/\\\\/g;
        $esc =~ s/\n/\\n/g;
        $self->{manifest} .= "\\$hex  $esc\n";
    }
    else {
        $self->{manifest} .= "$hex  $name\n";
    }
    return;
}

# Adds the regular file at $path under the member name $name, streaming it. Only a regular
# file is ever opened: the final component is opened with O_NOFOLLOW|O_NONBLOCK (a symlink or
# a fifo swapped in after the caller's lstat is neither followed nor waited on) and the open
# handle is fstat-ed; anything but a regular file is refused with an error. The header carries
# the size fstat reports when the file is opened. If the file changes size while it is being
# streamed, the member is still well-formed: a file that shrank is padded with NUL bytes up to
# the header size, one that grew is cut at the header size, and one warning line
# "agent.pl: warning: ..." goes to stderr (the manifest hashes the bytes actually archived).
# A live server's logs and mail keep changing, so this is a warning, not a failure.
sub add_file {
    my ($self, $name, $path, @st) = @_;
    @st = lstat $path unless @st;
    die "cannot read $path: $!\n" unless @st;
    die "cannot archive $path: not a regular file\n" unless S_ISREG($st[2]);
    sysopen(my $in, $path, O_RDONLY | NOFOLLOW | NONBLOCK) or die "cannot open $path: $!\n";
    binmode $in;
    my @fst = stat $in;
    die "cannot read $path: $!\n" unless @fst;
    die "cannot archive $path: not a regular file\n" unless S_ISREG($fst[2]);
    my $size = $fst[7];
    local $self->{mute} = 1 if defined $self->{skip_through};
    my $from = 0;
    if (!defined $self->{skip_through} && defined $self->{tail_of}) {
        die "the resume point $self->{tail_of} is no longer the next file ($name is): start the transfer over\n"
          unless $self->{tail_of} eq $name;
        $from = $self->{tail_from};
        die "$name is now $size bytes, less than the $from bytes resumed from: start the transfer over\n"
          if $from > $size;
        delete @{$self}{qw(tail_of tail_from)};
        $self->_header(name => TAIL_NAME, mode => $fst[2], uid => $fst[4], gid => $fst[5],
            size => $size - $from, mtime => $fst[9], type => '0');
    }
    else {
        $self->_header(name => $name, mode => $fst[2], uid => $fst[4], gid => $fst[5], size => $size,
            mtime => $fst[9], type => '0');
    }
    my $at = 0;    # bytes of the file read so far: the first $from are hashed, not sent
    # Large files: OpenSSL's SHA-256 fed the same blocks (PipeSHA.pm), a quarter of the CPU.
    my $sha = MigrationAgent::PipeSHA->for_size($size);
    my ($left, $short) = ($size, 0);
    while ($left > 0) {
        my $want = $left < BLOCK ? $left : BLOCK;
        my $buf = '';
        while (!$short && length $buf < $want) {
            my $got = sysread($in, $buf, $want - length $buf, length $buf);
            die "cannot read $path: $!\n" unless defined $got;
            $short = 1 if $got == 0;    # end of file before the header size: it shrank
        }
        $buf .= "\0" x ($want - length $buf);
        $sha->add($buf);
        if ($at >= $from) { $self->_write($buf); }
        elsif ($at + $want > $from) { $self->_write(substr($buf, $from - $at)); }
        $at += $want;
        $left -= $want;
    }
    my $grew = 0;
    if (!$short) {
        my $got = sysread($in, my $extra, 1);
        $grew = 1 if $got;
    }
    close $in;
    _warn("$path shrank while it was archived; member $name padded with NUL bytes to its $size-byte header size")
      if $short;
    _warn("$path grew while it was archived; member $name cut at its $size-byte header size") if $grew;
    $self->_write("\0" x ((512 - ($size - $from) % 512) % 512));
    $self->_manifest_line($sha->hexdigest, $name);
    $self->{files}++;
    delete $self->{skip_through} if defined $self->{skip_through} && $self->{skip_through} eq $name;
    return;
}

sub add_dir {
    my ($self, $name, @st) = @_;
    $name .= '/' unless $name =~ m{/\z};
    $self->_header(name => $name, mode => (@st ? $st[2] : 0755), uid => ($st[4] || 0),
        gid => ($st[5] || 0), size => 0, mtime => ($st[9] || time), type => '5');
    return;
}

sub add_symlink {
    my ($self, $name, $target, @st) = @_;
    $self->_header(name => $name, mode => 0777, uid => ($st[4] || 0), gid => ($st[5] || 0),
        size => 0, mtime => ($st[9] || time), type => '2', link => $target);
    return;
}

# Adds in-memory data (small things only).
sub add_data {
    my ($self, $name, $data, %opt) = @_;
    utf8::encode($data) if utf8::is_utf8($data);
    $self->_header(name => $name, mode => ($opt{mode} || 0644), uid => 0, gid => 0,
        size => length $data, mtime => ($opt{mtime} || time), type => '0');
    $self->_write($data . ("\0" x ((512 - length($data) % 512) % 512)));
    $self->_manifest_line(Digest::SHA::sha256_hex($data), $name) unless $opt{no_manifest};
    $self->{files}++ unless $opt{no_manifest};
    return;
}

# Adds everything below $dir (not $dir itself), members named relative to it, sorted.
# Entries are lstat-ed: symlinks inside the tree are stored as symlink members and never
# followed; sockets, fifos and devices are skipped. (The caller resolves $dir itself when the
# content root is a symlink.)
sub add_tree {
    my ($self, $dir, $prefix, @st) = @_;
    $prefix = '' unless defined $prefix;
    opendir(my $dh, $dir) or die "cannot read directory $dir: $!\n";
    if (@st) {    # a subdirectory: it must still be the directory lstat saw, not a symlink swapped in
        my @now = do { no warnings; $] >= 5.010 ? stat($dh) : () };    # fstat of a dirhandle: 5.10+
        if (@now && ($now[0] != $st[0] || $now[1] != $st[1])) {
            closedir $dh;
            _warn("$dir was replaced while it was archived; its contents were skipped");
            return;
        }
    }
    my @names = sort grep { $_ ne '.' && $_ ne '..' } readdir $dh;
    closedir $dh;
    for my $n (@names) {
        my $path = "$dir/$n";
        my $member = $prefix . $n;
        my @st = lstat $path or die "cannot stat $path: $!\n";
        if (S_ISLNK($st[2])) {
            my $target = readlink $path;
            $self->add_symlink($member, defined $target ? $target : '', @st);
        }
        elsif (S_ISDIR($st[2])) {
            $self->add_dir($member, @st);
            $self->add_tree($path, "$member/", @st);
        }
        elsif (S_ISREG($st[2])) {
            $self->add_file($member, $path, @st);
        }
    }
    return;
}

# Writes the manifest and the end-of-archive blocks.
sub finish {
    my ($self) = @_;
    die "the resume point $self->{skip_through} is no longer in the content: start the transfer over\n"
      if defined $self->{skip_through};
    die "the file $self->{tail_of} to resume inside is no longer in the content: start the transfer over\n"
      if defined $self->{tail_of};
    $self->add_data(MANIFEST_NAME, $self->{manifest}, no_manifest => 1);
    $self->_write("\0" x 1024);
    my $pad = (10240 - $self->{bytes} % 10240) % 10240;    # whole 10 KiB records, as tar does
    $self->_write("\0" x $pad);
    $self->_flush;
    return;
}

1;
