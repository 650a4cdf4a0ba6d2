package MigrationAgent::Resync;
# Content re-sync (SPEC R13): what a later pass needs from the source so that it moves only
# what changed since the first copy.
#
#  - write_listing: the content root's manifest WITHOUT the bytes, one line per regular file in
#    archive order (the same sorted walk as MigrationAgent::Tar::add_tree):
#        "<sha256 hex> <size> <name>\n"
#    Names holding a backslash or a newline are written as sha256sum(1) does: the line starts
#    with "\" and the name has "\\" and "\n" escapes. The "<hex>  <name>" lines of the same
#    files, in the same order, are exactly the MANIFEST.sha256 a full tarball would carry, so
#    the manager can tell from the marker of the last copy whether anything changed at all.
#    Directories and symlinks have lines of their own, so that an empty directory created or
#    removed and a symlink added, changed or removed are carried too (they are not in the
#    manifest: a full tarball's manifest lists regular files only):
#        "T\n"                             first, for a directory root: folders and links follow
#        "D <name>\n"                      a directory (every one, empty or not)
#        "L <target> <name>\n"             a symlink; the target with "\\", "\n" and "\s" (space)
#                                          escapes, so the first space after it ends it
#  - member_tar: a MigrationAgent::Tar that archives only the chosen members (the --members
#    list, one name a line, escaped the same way): regular files, directories and symlinks
#    named there (tar -x creates the parents of a member); the manifest lists just the files.
use strict;
use warnings;
use Digest::SHA ();
use Fcntl qw(:mode O_RDONLY);
use MigrationAgent::Tar;
use POSIX ();

use constant NOFOLLOW => eval { Fcntl::O_NOFOLLOW() } || 0;
use constant NONBLOCK => eval { Fcntl::O_NONBLOCK() } || 0;
use constant IFMT => Fcntl::S_IFMT();

sub _escaped {
    my ($name) = @_;
    utf8::encode($name) if utf8::is_utf8($name);
    return (0, $name) unless $name =~ /[\\\n]/;
    (my $esc = $name) =~ s/\\/\\\\/g;
    $esc =~ s/\n/\\n/g;
    return (1, $esc);
}

# The --members value: one name a line; a line starting with "\" carries "\\" and "\n" escapes.
sub parse_members {
    my ($text) = @_;
    my %set;
    for my $line (split /\n/, (defined $text ? $text : '')) {
        next if $line eq '';
        if ($line =~ s/\A\\//) { $line =~ s/\\(\\|n)/$1 eq 'n' ? "\n" : '\\'/ge; }
        $set{$line} = 1;
    }
    MigrationAgent::usage_error('--members lists no file') unless %set;
    return \%set;
}

# SHA-256 and size of one regular file, opened as MigrationAgent::Tar opens it (never a link).
# $seen: the size the caller's lstat found. A file of at most a block is then read once through
# a bare descriptor and hashed in one piece, as the tar writer does (a Maildir's listing is
# 100,000 of these): while the read brings exactly that size, the lstat stands for the fstat.
# Any other read, and every larger file, goes the fstat-ed way (not a regular file: refused).
sub _hash_file {
    my ($path, $seen) = @_;
    my ($sha, $in);
    if (defined $seen && $seen <= MigrationAgent::Tar::BLOCK) {
        my $fd = POSIX::open($path, O_RDONLY | NOFOLLOW | NONBLOCK);
        die "cannot open $path: $!\n" unless defined $fd;
        my $got = POSIX::read($fd, my $buf, $seen + 1);
        if (defined $got && $got == $seen) {
            POSIX::close($fd);
            return (Digest::SHA::sha256_hex($buf), $seen);
        }
        $in = MigrationAgent::Tar::_handle($fd, $path);
        $sha = Digest::SHA->new(256);
        $sha->add($buf) if defined $got;    # what was read is the file's start: addfile goes on
    }
    else {
        sysopen($in, $path, O_RDONLY | NOFOLLOW | NONBLOCK) or die "cannot open $path: $!\n";
        $sha = Digest::SHA->new(256);
    }
    binmode $in;
    my @st = stat $in;
    die "cannot read $path: $!\n" unless @st && S_ISREG($st[2]);
    $sha->addfile($in);
    close $in;
    return ($sha->hexdigest, $st[7]);
}

sub _walk {
    my ($fh, $dir, $prefix) = @_;
    opendir(my $dh, $dir) or die "cannot read directory $dir: $!\n";
    my @names = sort grep { $_ ne '.' && $_ ne '..' } readdir $dh;
    closedir $dh;
    for my $n (@names) {
        my $path = "$dir/$n";
        my $member = $prefix . $n;
        # One lstat; its type by mask (S_ISLNK and friends are a sub call each).
        my ($mode, $size) = (lstat $path)[2, 7];
        die "cannot stat $path: $!\n" unless defined $mode;
        my $type = $mode & IFMT;
        if ($type == S_IFLNK) {
            my $target = readlink $path;
            $target = '' unless defined $target;
            utf8::encode($target) if utf8::is_utf8($target);
            (my $t = $target) =~ s/\\/\\\\/g;
            $t =~ s/\n/\\n/g;
            $t =~ s/ /\\s/g;
            my ($esc, $name) = _escaped($member);
            print {$fh} ($esc ? '\\' : '') . "L $t $name\n" or die "cannot write the listing: $!\n";
        }
        elsif ($type == S_IFDIR) {
            my ($esc, $name) = _escaped($member);
            print {$fh} ($esc ? '\\' : '') . "D $name\n" or die "cannot write the listing: $!\n";
            _walk($fh, $path, "$member/");
        }
        elsif ($type == S_IFREG) {
            my $hex;
            ($hex, $size) = _hash_file($path, $size);
            my ($esc, $name) = _escaped($member);
            print {$fh} ($esc ? '\\' : '') . "$hex $size $name\n" or die "cannot write the listing: $!\n";
        }
    }
    return;
}

# The listing of a content root: a directory's tree, or a single regular file under $name.
sub write_listing {
    my ($fh, $real, $is_dir, $name) = @_;
    binmode $fh;
    if ($is_dir) {
        # "T": this listing names folders and symlinks too (an older agent's does not, and the
        # manager must not take their absence for folders removed on the source).
        print {$fh} "T\n" or die "cannot write the listing: $!\n";
        _walk($fh, $real, '');
        return;
    }
    my ($hex, $size) = _hash_file($real);
    my ($esc, $n) = _escaped($name);
    print {$fh} ($esc ? '\\' : '') . "$hex $size $n\n" or die "cannot write the listing: $!\n";
    return;
}

sub member_tar {
    my ($fh, $members) = @_;
    my $tar = MigrationAgent::Resync::Tar->new($fh);
    $tar->{only} = parse_members($members);
    return $tar;
}

package MigrationAgent::Resync::Tar;
# Only the chosen members (files, directories, symlinks); the rest of the tree is walked (lstat
# only) but not archived.
use strict;
use warnings;
our @ISA = ('MigrationAgent::Tar');

sub add_file {
    my ($self, $name, @rest) = @_;
    return unless $self->{only}{$name};
    return $self->SUPER::add_file($name, @rest);
}
sub add_dir {
    my ($self, $name, @rest) = @_;
    return unless $self->{only}{$name};
    return $self->SUPER::add_dir($name, @rest);
}

sub add_symlink {
    my ($self, $name, @rest) = @_;
    return unless $self->{only}{$name};
    return $self->SUPER::add_symlink($name, @rest);
}

1;
