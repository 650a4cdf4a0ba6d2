package MigrationAgent::SOAP::Envelope;
# Reads and writes the SOAP 1.1 envelopes of the agent's HTTP service.
#
# Core Perl has no XML parser, and the requests are tiny and of one fixed shape, so this is a
# strict reader of exactly well-formed element/attribute/text XML: the XML declaration is
# allowed, and nothing else starting with "<!" or "<?" (no DOCTYPE, so no entity can ever be
# declared or expanded; no comments, no CDATA, no processing instructions). Only the five
# predefined entities and character references are understood; any other "&name;" is refused.
# Names are resolved against their namespaces, so any prefix works.
use strict;
use warnings;

our $SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
our $MM_NS   = 'urn:migration-manager:agent:1';

my $NAME = qr/[A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?/;
my %PREDEFINED = (lt => '<', gt => '>', amp => '&', quot => '"', apos => "'");

sub _bad { die { fault => 'Client', message => "malformed envelope: $_[0]" }; }

sub _unescape {
    my ($s) = @_;
    $s =~ s{&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]*);}{
        my $e = $1;
        $e =~ /\A#x(.+)\z/ ? chr(hex $1)
          : $e =~ /\A#(.+)\z/ ? chr($1)
          : exists $PREDEFINED{$e} ? $PREDEFINED{$e}
          : _bad("entity &$e; is not declared (DTDs are refused)")
    }ge;
    _bad('a bare "&" in text') if $s =~ /&/;
    return $s;
}

# Parses bytes into a tree of { ns, name, attrs => {qname => value}, kids => [...], text }.
sub parse {
    my ($bytes) = @_;
    my $xml = $bytes;
    utf8::decode($xml) or _bad('it is not UTF-8');
    $xml =~ s/\A\x{FEFF}//;
    $xml =~ s/\A<\?xml\s[^<>?]*\?>//;
    _bad('it holds a DOCTYPE, entity declaration, comment, CDATA section or processing instruction (refused)')
      if $xml =~ /<[!?]/;
    my (@stack, $root);
    pos($xml) = 0;
    while (pos($xml) < length $xml) {
        if ($xml =~ /\G<\/($NAME)\s*>/gc) {
            my $open = pop @stack or _bad("closing tag </$1> without an opening one");
            _bad("</$1> closes <$open->{qname}>") unless $open->{qname} eq $1;
        }
        elsif ($xml =~ /\G<($NAME)((?:\s+$NAME\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/gc) {
            my ($qname, $attr_text, $empty) = ($1, $2, $3);
            _bad('a second root element') if $root && !@stack;
            my %attrs;
            while ($attr_text =~ /($NAME)\s*=\s*(?:"([^"]*)"|'([^']*)')/g) {
                _bad("attribute $1 given twice") if exists $attrs{$1};
                $attrs{$1} = _unescape(defined $2 ? $2 : $3);
            }
            my %ns = @stack ? %{ $stack[-1]{nsmap} } : ();
            for (keys %attrs) {
                $ns{''} = $attrs{$_} if $_ eq 'xmlns';
                $ns{$1} = $attrs{$_} if /\Axmlns:(.+)\z/;
            }
            my ($prefix, $local) = $qname =~ /:/ ? split(/:/, $qname, 2) : ('', $qname);
            _bad("prefix $prefix: is not declared") if $prefix ne '' && !defined $ns{$prefix};
            my $el = { qname => $qname, name => $local, ns => (defined $ns{$prefix} ? $ns{$prefix} : ''),
                attrs => \%attrs, kids => [], text => '', nsmap => \%ns };
            if (@stack) { push @{ $stack[-1]{kids} }, $el; } else { $root = $el; }
            push @stack, $el unless $empty;
        }
        elsif ($xml =~ /\G([^<]+)/gc) {
            my $t = $1;
            if (@stack) { $stack[-1]{text} .= _unescape($t); }
            else { _bad('text outside the root element') if $t =~ /\S/; }
        }
        else { _bad('unexpected markup at character ' . pos($xml)); }
    }
    _bad('no root element') unless $root;
    _bad("<$stack[-1]{qname}> is not closed") if @stack;
    return $root;
}

# The operation of a request: (name, element) of the Body's one child in the agent's namespace.
sub operation {
    my ($root) = @_;
    _bad('the root is not a SOAP 1.1 Envelope')
      unless $root->{name} eq 'Envelope' && $root->{ns} eq $SOAP_NS;
    my @body = grep { $_->{name} eq 'Body' && $_->{ns} eq $SOAP_NS } @{ $root->{kids} };
    _bad('the Envelope has no single Body') unless @body == 1;
    for my $h (grep { $_->{name} eq 'Header' && $_->{ns} eq $SOAP_NS } @{ $root->{kids} }) {
        for my $entry (@{ $h->{kids} }) {
            my ($mu) = grep { /(?:\A|:)mustUnderstand\z/ } keys %{ $entry->{attrs} };
            die { fault => 'MustUnderstand', message => "header <$entry->{qname}> is not understood" }
              if defined $mu && $entry->{attrs}{$mu} eq '1';
        }
    }
    my @ops = @{ $body[0]{kids} };
    _bad('the Body holds no single operation') unless @ops == 1;
    my $op = $ops[0];
    die { fault => 'Client', message => "unknown operation {$op->{ns}}$op->{name}" }
      unless $op->{ns} eq $MM_NS;
    return ($op->{name}, $op);
}

sub escape {
    my ($s) = @_;
    $s = '' unless defined $s;
    $s =~ s/&/&amp;/g;
    $s =~ s/</&lt;/g;
    $s =~ s/>/&gt;/g;
    $s =~ s/"/&quot;/g;
    $s =~ s/([\x00-\x08\x0B\x0C\x0E-\x1F])/sprintf('&#xFFFD;')/ge;
    return $s;
}

sub _envelope {
    my ($body) = @_;
    my $xml = qq{<?xml version="1.0" encoding="UTF-8"?>\n}
      . qq{<soap:Envelope xmlns:soap="$SOAP_NS" xmlns:mm="$MM_NS"><soap:Body>$body</soap:Body></soap:Envelope>\n};
    utf8::encode($xml) if utf8::is_utf8($xml);
    return $xml;
}

# A response: <mm:$name> holding the given children, each [name, text, {attrs}].
sub response {
    my ($name, @children) = @_;
    my $inner = join '', map {
        my ($n, $t, $a) = @$_;
        my $attrs = join '', map { qq{ $_="} . escape($a->{$_}) . '"' } sort keys %{ $a || {} };
        "<mm:$n$attrs>" . escape($t) . "</mm:$n>"
    } @children;
    return _envelope("<mm:$name>$inner</mm:$name>");
}

# A SOAP 1.1 fault: faultcode soap:Client (the request is wrong), soap:Server (the agent
# failed) or soap:MustUnderstand; the agent's exit code, when there is one, in the detail.
sub fault {
    my ($code, $message, $exit) = @_;
    my $detail = defined $exit ? "<detail><mm:exitCode>$exit</mm:exitCode></detail>" : '';
    return _envelope('<soap:Fault><faultcode>soap:' . $code . '</faultcode><faultstring>'
          . escape($message) . "</faultstring>$detail</soap:Fault>");
}

1;
