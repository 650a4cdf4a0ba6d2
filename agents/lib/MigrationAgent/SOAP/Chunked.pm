package MigrationAgent::SOAP::Chunked;
# A tied output handle that streams what is printed to it as an HTTP/1.1 chunked body.
#
# The response head (200, application/x-tar) goes out with the first bytes, so a command that
# fails before writing anything can still answer with a SOAP fault instead. The end of the body
# carries trailers: X-MM-Exit (0 or the agent's exit code), X-MM-Error (its one-line message)
# and X-MM-Warnings (its warning lines), because a tarball that fails half-way has already
# sent its status line. A body without its last chunk means the agent died mid-stream.
use strict;
use warnings;

use constant CHUNK => 65536;

sub TIEHANDLE {
    my ($class, $sock) = @_;
    return bless { sock => $sock, buf => '', started => 0, bytes => 0 }, $class;
}

sub send_all {
    my ($sock, $data) = @_;
    my $off = 0;
    while ($off < length $data) {
        my $n = syswrite($sock, $data, length($data) - $off, $off);
        die "the manager closed the connection: $!\n" unless defined $n && $n > 0;
        $off += $n;
    }
    return;
}

sub _start {
    my ($self) = @_;
    return if $self->{started}++;
    send_all($self->{sock}, "HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\n"
          . "Transfer-Encoding: chunked\r\nTrailer: X-MM-Exit, X-MM-Error, X-MM-Warnings\r\n"
          . "Cache-Control: no-store\r\nConnection: close\r\n\r\n");
    return;
}

sub _flush {
    my ($self) = @_;
    return unless length $self->{buf};
    $self->_start;
    send_all($self->{sock}, sprintf('%x', length $self->{buf}) . "\r\n" . $self->{buf} . "\r\n");
    $self->{bytes} += length $self->{buf};
    $self->{buf} = '';
    return;
}

sub PRINT {
    my ($self, @data) = @_;
    $self->{buf} .= join '', @data;
    $self->_flush if length $self->{buf} >= CHUNK;
    return 1;
}

sub PRINTF { my ($self, $fmt, @a) = @_; return $self->PRINT(sprintf $fmt, @a); }
sub WRITE { my ($self, $buf, $len, $off) = @_; return $self->PRINT(substr($buf, $off || 0, $len)) && $len; }
sub BINMODE { return 1; }
sub CLOSE { return 1; }
sub FILENO { return undef; }

sub started { return $_[0]{started}; }

# Trailer values are header-safe: bytes outside printable ASCII and "%" are percent-encoded.
sub _header_value {
    my ($s) = @_;
    utf8::encode($s) if utf8::is_utf8($s);
    $s =~ s/([^\x20-\x24\x26-\x7e])/sprintf('%%%02X', ord $1)/ge;
    return $s;
}

# Sends what is buffered, the last chunk and the trailers.
sub finish {
    my ($self, $exit, $error, $warnings) = @_;
    $self->_flush;
    $self->_start;
    my $t = "0\r\nX-MM-Exit: $exit\r\n";
    $t .= 'X-MM-Error: ' . _header_value($error) . "\r\n" if defined $error;
    $t .= 'X-MM-Warnings: ' . _header_value($warnings) . "\r\n" if defined $warnings && length $warnings;
    send_all($self->{sock}, "$t\r\n");
    return;
}

1;
