package MigrationAgent::Tar;
# Streaming POSIX ustar writer with a SHA-256 manifest.
#
# Files are copied in 256 KiB blocks and hashed on the way, so a file of any size never sits
# in memory. Names that do not fit ustar's name/prefix fields, link targets over 100 bytes,
# sizes of 8 GiB or more, mtimes before 1970 or past 8**11 and owner ids of 2**21 or more get a
# POSIX pax extended header ('x'), which GNU tar, bsdtar and node tar readers understand.
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
use POSIX ();
use MigrationAgent::Util ();

use constant BLOCK => 262144;
# Output leaves in pieces of at least this size (headers and small files gathered): a Maildir is
# mostly 512-byte headers and small messages, and each write wakes the reader (sshd) once.
use constant FLUSH_AT => 262144;
use constant MANIFEST_NAME => 'MANIFEST.sha256';
use constant NOFOLLOW => eval { Fcntl::O_NOFOLLOW() } || 0;
use constant NONBLOCK => eval { Fcntl::O_NONBLOCK() } || 0;
# File types compared with a mask, not Fcntl's S_ISREG() and friends: those are Perl subs, a call
# each, and the tree walk asks for every entry.
use constant IFMT => Fcntl::S_IFMT();
use constant IFREG => Fcntl::S_IFREG();
use constant IFDIR => Fcntl::S_IFDIR();
use constant IFLNK => Fcntl::S_IFLNK();

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
    MigrationAgent::Util::grow_pipe($fh) if $sys;    # a pipe to sshd: a block per write
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

sub _pax_record {
    my ($key, $value) = @_;
    my $body = " $key=$value\n";
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

# A member's header (and a pax header before it when a field does not fit ustar). Positional
# arguments, not a hash: a Maildir makes one header per 2 KB message, and building an argument
# hash cost as much as packing the header.
sub _header {
    my ($self, $name, $mode, $uid, $gid, $size, $mtime, $type, $link) = @_;
    utf8::encode($name) if utf8::is_utf8($name);
    $link = '' unless defined $link;
    utf8::encode($link) if utf8::is_utf8($link);
    if (length $name <= 100 && length $link <= 100 && $size < 8**11    # the usual case: ustar alone
        && $mtime >= 0 && $mtime < 8**11 && $uid < 8**7 && $gid < 8**7)
    {
        $self->_raw_header($name, '', $mode, $uid, $gid, $size, $mtime, $type, $link);
        return;
    }
    my @split = _split_name($name);
    my %pax;
    if (!@split) { $pax{path} = $name; @split = ('', substr($name, 0, 100)); }
    if (length $link > 100) { $pax{linkpath} = $link; $link = substr($link, 0, 100); }
    if ($size >= 8**11) { $pax{size} = $size; }
    # A time before 1970 or past ustar's 11 octal digits (year 4147), an owner id of 2**21 or more
    # (LDAP/AD-backed servers): the real value in a pax record, the ustar field in range (0 for a
    # time before 1970, else the field's maximum; an owner never 0, so a reader that ignores pax
    # does not hand the file to root). sprintf('%011o') of a negative number is 22 digits cut to 12.
    if ($mtime < 0 || $mtime >= 8**11) { $pax{mtime} = $mtime; $mtime = $mtime < 0 ? 0 : 8**11 - 1; }
    if ($uid >= 8**7) { $pax{uid} = $uid; $uid = 8**7 - 1; }
    if ($gid >= 8**7) { $pax{gid} = $gid; $gid = 8**7 - 1; }
    if (%pax) {
        my $data = join '', map { _pax_record($_, $pax{$_}) } sort keys %pax;
        my $pname = 'PaxHeaders/' . substr($split[1], 0, 80);
        $self->_raw_header($pname, '', 0644, 0, 0, length $data, $mtime, 'x', '');
        $self->_write($data . ("\0" x ((512 - length($data) % 512) % 512)));
    }
    $self->_raw_header($split[1], $split[0], $mode, $uid, $gid, ($size >= 8**11 ? 0 : $size), $mtime, $type,
        $link);
    return;
}

# The ustar magic and version ("ustar\0" "00"), and an empty device number field.
use constant MAGIC => "ustar\0" . '00';
use constant NO_DEVICE => '0' x 7;

# The 512-byte ustar header. Numeric fields are octal, NUL-terminated ("a" pads with NULs and cuts
# what does not fit, as before); the checksum is taken with its own field as 8 spaces ("A").
sub _raw_header {
    my ($self, $name, $prefix, $mode, $uid, $gid, $size, $mtime, $type, $link) = @_;
    my $hdr = pack('a100 a8 a8 a8 a12 a12 A8 a1 a100 a8 a32 a32 a8 a8 a155 a12',
        $name, sprintf('%07o', $mode & 07777), sprintf('%07o', $uid & 07777777),
        sprintf('%07o', $gid & 07777777), sprintf('%011o', $size), sprintf('%011o', $mtime || 0),
        '', $type, $link, MAGIC, '', '', NO_DEVICE, NO_DEVICE, $prefix, '');
    substr($hdr, 148, 8, sprintf("%06o\0 ", unpack('%32C*', $hdr)));
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
# a fifo swapped in after the caller's lstat is neither followed nor waited on). A file larger
# than a block is then fstat-ed, and its header carries the size fstat reports; a small one
# keeps the caller's lstat (see _add_regular). Anything but a regular file is refused with an
# error. If the file changes size while it is being
# streamed, the member is still well-formed: a file that shrank is padded with NUL bytes up to
# the header size, one that grew is cut at the header size, and one warning line
# "agent.pl: warning: ..." goes to stderr (the manifest hashes the bytes actually archived).
# A live server's logs and mail keep changing, so this is a warning, not a failure.
sub add_file {
    my ($self, $name, $path, @st) = @_;
    @st = lstat $path unless @st;
    die "cannot read $path: $!\n" unless @st;
    die "cannot archive $path: not a regular file\n" unless ($st[2] & IFMT) == IFREG;
    _add_regular($self, $name, $path, @st[2, 4, 5, 7, 9]);
    return;
}

# The ustar header's fields after the name, mode, owner, size, mtime, checksum and type: no link
# target, the magic, empty user and group names, no device, no prefix. A small file's header is
# its name, one sprintf of the numbers and this.
use constant USTAR_TAIL => pack('a100 a8 a32 a32 a8 a8 a155 a12', '', "ustar\0" . '00', '', '', ('0' x 7) x 2, '', '');

# add_file once an lstat found a regular file: its mode, owner, size and mtime. add_tree calls it
# directly (a method call and thirteen stat fields handed on cost as much as the header).
sub _add_regular {
    my ($self, $name, $path, $mode, $uid, $gid, $size, $mtime) = @_;
    if ($size <= BLOCK && !defined $self->{skip_through} && !defined $self->{tail_of}
        && length $name <= 100 && !utf8::is_utf8($name) && $mtime >= 0 && $mtime < 8**11
        && $uid < 8**7 && $gid < 8**7)
    {
        # A small file (a Maildir is mostly these) with a plain ustar header, not resuming: a
        # bare descriptor, the header from the lstat and one sprintf, one read (one byte more
        # asked for: getting it means the file grew), one one-shot hash, data and padding
        # appended to the output. The same bytes as _header and _write. A Perl handle would cost
        # three more system calls (a terminal check, a seek, an fstat) and the fstat a fourth, as
        # many as the rest together: the lstat stands for the fstat as long as the read brings
        # exactly the size it saw. Anything else (the file changed or was swapped since) is
        # fstat-ed: what is not a regular file is refused, a regular one is cut or padded.
        my $fd = POSIX::open($path, O_RDONLY | NOFOLLOW | NONBLOCK);
        die "cannot open $path: $!\n" unless defined $fd;
        my $hdr = pack('a100', $name)
          . sprintf("%07o\0%07o\0%07o\0%011o\0%011o\0        0", $mode & 07777, $uid & 07777777, $gid & 07777777,
            $size, $mtime)
          . USTAR_TAIL;
        substr($hdr, 148, 8, sprintf("%06o\0 ", unpack('%32C*', $hdr)));
        $self->_write($hdr);
        my $got = POSIX::read($fd, my $buf, $size + 1);
        my ($short, $grew) = (0, 0);
        if (defined $got && $got == $size) { POSIX::close($fd); }
        else {
            my $in = _handle($fd, $path);
            ($buf, $short, $grew) = _read_block($in, $path, $size, 1, $buf);
            close $in;
        }
        my $hex = Digest::SHA::sha256_hex($buf);
        my $pad = -$size & 511;    # to the next 512-byte block
        $self->{bytes} += $size + $pad;
        $self->{out} .= $buf;
        $self->{out} .= "\0" x $pad;
        $self->_flush if length $self->{out} >= FLUSH_AT;
        _warn("$path shrank while it was archived; member $name padded with NUL bytes to its $size-byte header size")
          if $short;
        _warn("$path grew while it was archived; member $name cut at its $size-byte header size") if $grew;
        if ($name =~ /[\\\n]/) { $self->_manifest_line($hex, $name); }
        else { $self->{manifest} .= "$hex  $name\n"; }
        $self->{files}++;
        return;
    }
    # sysread bypasses PerlIO layers, so the handle needs no binmode.
    sysopen(my $in, $path, O_RDONLY | NOFOLLOW | NONBLOCK) or die "cannot open $path: $!\n";
    my @fst = stat $in;
    die "cannot read $path: $!\n" unless @fst;
    die "cannot archive $path: not a regular file\n" unless ($fst[2] & IFMT) == IFREG;
    ($mode, $uid, $gid, $size, $mtime) = @fst[2, 4, 5, 7, 9];
    local $self->{mute} = 1 if defined $self->{skip_through};
    my $from = 0;
    if (!defined $self->{skip_through} && defined $self->{tail_of}) {
        die "the resume point $self->{tail_of} is no longer the next file ($name is): start the transfer over\n"
          unless $self->{tail_of} eq $name;
        $from = $self->{tail_from};
        die "$name is now $size bytes, less than the $from bytes resumed from: start the transfer over\n"
          if $from > $size;
        delete @{$self}{qw(tail_of tail_from)};
        $self->_header(TAIL_NAME, $mode, $uid, $gid, $size - $from, $mtime, '0');
    }
    else {
        $self->_header($name, $mode, $uid, $gid, $size, $mtime, '0');
    }
    my $pad = "\0" x ((512 - ($size - $from) % 512) % 512);
    my ($hex, $short, $grew);
    if ($size <= BLOCK) {
        # A small file (a Maildir is mostly these): one read, one one-shot hash, one write of data
        # and padding.
        (my $buf, $short, $grew) = _read_block($in, $path, $size, 1);
        $hex = Digest::SHA::sha256_hex($buf);
        $self->_write(($from ? substr($buf, $from) : $buf) . $pad);
    }
    else {
        my $at = 0;    # bytes of the file read so far: the first $from are hashed, not sent
        # Large files: OpenSSL's SHA-256 fed the same blocks (PipeSHA.pm), a quarter of the CPU.
        my $sha = MigrationAgent::PipeSHA->for_size($size);
        my $left = $size;
        while ($left > 0) {
            my $want = $left < BLOCK ? $left : BLOCK;
            my ($buf, $s, $g) = $short ? ("\0" x $want, 1, 0) : _read_block($in, $path, $want, $want == $left);
            ($short, $grew) = ($s, $g);
            $sha->add($buf);
            if ($at >= $from) { $self->_write($buf); }
            elsif ($at + $want > $from) { $self->_write(substr($buf, $from - $at)); }
            $at += $want;
            $left -= $want;
        }
        $self->_write($pad);
        $hex = $sha->hexdigest;
    }
    # A file of 0 bytes read nothing yet: whether it grew takes a read of its own.
    $grew = sysread($in, my $extra, 1) ? 1 : 0 if $size == 0;
    close $in;
    _warn("$path shrank while it was archived; member $name padded with NUL bytes to its $size-byte header size")
      if $short;
    _warn("$path grew while it was archived; member $name cut at its $size-byte header size") if $grew;
    $self->_manifest_line($hex, $name);
    $self->{files}++;
    delete $self->{skip_through} if defined $self->{skip_through} && $self->{skip_through} eq $name;
    return;
}

# A Perl handle on the bare descriptor $fd, fstat-ed: it must be a regular file (else refused).
sub _handle {
    my ($fd, $path) = @_;
    open(my $in, '<&=', $fd) or do { POSIX::close($fd); die "cannot read $path: $!\n" };
    my @st = stat $in;
    die "cannot read $path: $!\n" unless @st;
    die "cannot archive $path: not a regular file\n" unless ($st[2] & IFMT) == IFREG;
    return $in;
}

# Reads $want bytes of a file into one string: (bytes, shrank, grew). Bytes missing at the end
# of the file (it shrank) are NUL. For the file's last block ($last) one byte more is asked for:
# getting it means the file grew, found without a read of its own (the end of a regular file is
# where a read first comes back short, so a short read that still filled $want is the end).
# $got: what a first read already brought (the small-file path's), if any.
sub _read_block {
    my ($in, $path, $want, $last, $got) = @_;
    my $ask = $last ? $want + 1 : $want;
    my ($buf, $short) = (defined $got ? $got : '', 0);
    while (length $buf < $want) {
        my $got = sysread($in, $buf, $ask - length $buf, length $buf);
        die "cannot read $path: $!\n" unless defined $got;
        if ($got == 0) { $short = 1; last; }    # end of file before the header size: it shrank
    }
    return ($buf . ("\0" x ($want - length $buf)), 1, 0) if $short;
    return (substr($buf, 0, $want), 0, 1) if length $buf > $want;
    return ($buf, 0, 0);
}

sub add_dir {
    my ($self, $name, @st) = @_;
    $name .= '/' unless $name =~ m{/\z};
    # An mtime of exactly 0 (1970-01-01) is a time like any other: only a folder without a stat
    # (one the agent makes up) is dated now.
    $self->_header($name, (@st ? $st[2] : 0755), ($st[4] || 0), ($st[5] || 0), 0, (@st ? $st[9] : time), '5');
    return;
}

sub add_symlink {
    my ($self, $name, $target, @st) = @_;
    $self->_header($name, 0777, ($st[4] || 0), ($st[5] || 0), 0, (@st ? $st[9] : time), '2', $target);
    return;
}

# Adds in-memory data (small things only).
sub add_data {
    my ($self, $name, $data, %opt) = @_;
    utf8::encode($data) if utf8::is_utf8($data);
    $self->_header($name, ($opt{mode} || 0644), 0, 0, length $data, ($opt{mtime} || time), '0');
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
    # A writer whose add_file picks members (MigrationAgent::Resync's) is asked for every file;
    # this one's files go straight to _add_regular.
    my $plain = $self->can('add_file') == \&add_file;
    for my $n (@names) {
        my $path = "$dir/$n";
        # One lstat: a file's header fields come from it.
        my ($mode, $uid, $gid, $size, $mtime) = (lstat $path)[2, 4, 5, 7, 9];
        die "cannot stat $path: $!\n" unless defined $mode;
        my $type = $mode & IFMT;
        if ($type == IFREG) {
            if ($plain) { _add_regular($self, $prefix . $n, $path, $mode, $uid, $gid, $size, $mtime); }
            else { $self->add_file($prefix . $n, $path, lstat _); }
        }
        elsif ($type == IFLNK) {
            my @st = lstat _;
            my $target = readlink $path;
            $self->add_symlink($prefix . $n, defined $target ? $target : '', @st);
        }
        elsif ($type == IFDIR) {
            my @st = lstat _;
            $self->add_dir($prefix . $n, @st);
            $self->add_tree($path, "$prefix$n/", @st);
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
