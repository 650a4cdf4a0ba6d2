package MigrationAgent::SOAP::Install;
# The Install operation: the manager sends its agent package (pack.mjs's agent.tar) to an agent
# serving SOAP that is older than the manager's, as it deploys one over SSH. Only when the agent
# was started with --allow-update: with it, the token can replace the agent's code.
#
# The package is checked before anything changes: a ustar archive holding only agent.pl,
# agent.manifest, README.md, lib/… and xsd/… (plain names, no "..", regular files and folders),
# whose manifest names this very agent, and whose agent.pl runs (--version). It is unpacked to a
# staging folder beside the agent, then swapped in name by name (the old files kept aside until
# every rename worked, put back if one fails). The serving process then re-executes itself.
use strict;
use warnings;
use Archive::Tar ();
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use File::Spec ();

my $MEMBER = qr{\A(?:agent\.pl|agent\.manifest|README\.md|(?:lib|xsd)(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)*)/?\z};
my @TOP = qw(agent.pl agent.manifest README.md lib xsd);

sub _refuse { die { fault => 'Client', message => "the package was refused: $_[0]" }; }

sub _write_file {
    my ($path, $data, $mode) = @_;
    make_path(dirname($path));
    open(my $fh, '>:raw', $path) or die "cannot write $path: $!\n";
    print {$fh} $data or die "cannot write $path: $!\n";
    close $fh or die "cannot write $path: $!\n";
    chmod $mode, $path;
    return;
}

# Does `perl <stage>/agent.pl --version` print "<name> <version>"? Output goes to a file: no
# shell, no pipe (list-form pipes are not there on Windows).
sub _runs {
    my ($stage, $name, $version) = @_;
    my $out = "$stage.version";
    open(my $save, '>&', \*STDOUT) or die "cannot save stdout: $!\n";
    open(STDOUT, '>', $out) or die "cannot write $out: $!\n";
    my $rc = system($^X, "$stage/agent.pl", '--version');
    open(STDOUT, '>&', $save) or die "cannot restore stdout: $!\n";
    open(my $fh, '<', $out);
    my $said = $fh ? (<$fh> || '') : '';
    unlink $out;
    return $rc == 0 && $said =~ /\A\Q$name\E \Q$version\E\s*\z/;
}

# Installs the package bytes into $dir (the folder of the running agent.pl). Returns the version.
sub install {
    my ($agent, $dir, $bytes) = @_;
    my $stage = "$dir/.mm-update-$$";
    my $old   = "$dir/.mm-old-$$";
    remove_tree($stage, $old);
    my $tarfile = "$stage.tar";
    _write_file($tarfile, $bytes, 0600);
    my $tar = Archive::Tar->new;
    my $ok = eval { $tar->read($tarfile) };
    unlink $tarfile;
    _refuse('it is not a tar archive') unless $ok;
    my $version;
    eval {
        for my $f ($tar->get_files) {
            my $name = $f->full_path;
            _refuse("member '$name' is not part of an agent package") unless $name =~ $MEMBER;
            if ($f->is_dir) { make_path("$stage/$name"); next; }
            _refuse("member '$name' is not a regular file") unless $f->is_file;
            _write_file("$stage/$name", $f->get_content, $name eq 'agent.pl' ? 0755 : 0644);
        }
        my $manifest = '';
        if (open(my $fh, '<', "$stage/agent.manifest")) { local $/; $manifest = <$fh>; close $fh; }
        my ($name) = $manifest =~ m{<name>\s*([^<\s]+)\s*</name>};
        ($version) = $manifest =~ m{<version>\s*([0-9]+\.[0-9]+\.[0-9]+)\s*</version>};
        _refuse('it has no agent.manifest with a name and a version') unless $name && $version;
        _refuse("it is the $name agent, this is the $agent->{name} agent") unless $name eq $agent->{name};
        _refuse("its agent.pl does not run here (perl agent.pl --version)") unless _runs($stage, $name, $version);
        _swap($dir, $stage, $old);
        1;
    } or do {
        my $e = $@;
        remove_tree($stage);
        die $e;
    };
    remove_tree($stage, $old);
    return $version;
}

sub _swap {
    my ($dir, $stage, $old) = @_;
    make_path($old);
    my @moved;
    for my $n (@TOP) {
        next unless -e "$stage/$n";
        my $ok = (!-e "$dir/$n" || rename("$dir/$n", "$old/$n")) && rename("$stage/$n", "$dir/$n");
        if (!$ok) {
            my $why = $!;
            for my $m (reverse @moved, $n) {    # put back what was already replaced
                rename("$dir/$m", "$stage/$m") if $m ne $n;
                rename("$old/$m", "$dir/$m") if -e "$old/$m";
            }
            die "cannot replace $dir/$n: $why\n";
        }
        push @moved, $n;
    }
    return;
}

1;
