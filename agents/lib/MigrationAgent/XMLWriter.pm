package MigrationAgent::XMLWriter;
# A small XML writer that escapes everything it is given.
#
# Input strings may be Perl character strings or byte strings; byte strings are read as
# UTF-8 when they are valid UTF-8, else as ISO-8859-1, so that any byte sequence found on a
# source server yields well-formed UTF-8 XML. Characters XML 1.0 cannot carry at all
# (C0 controls except TAB/LF/CR, U+FFFE, U+FFFF, lone surrogates) become U+FFFD.
# In attributes TAB, LF and CR are written as character references so they survive
# attribute-value normalisation.
use strict;
use warnings;
use Encode ();

sub new {
    my ($class) = @_;
    return bless { out => '', stack => [], open_tag => 0 }, $class;
}

# Returns the value as a Perl character string.
sub to_chars {
    my ($s) = @_;
    return '' unless defined $s;
    $s = "$s";
    return $s if utf8::is_utf8($s);
    return $s if $s !~ /[\x80-\xff]/;
    my $copy = $s;
    my $chars = eval { Encode::decode('UTF-8', $copy, Encode::FB_CROAK()) };
    return $chars if defined $chars;
    return Encode::decode('ISO-8859-1', $s);
}

sub _clean {
    my ($s) = @_;
    $s = to_chars($s);
    $s =~ s/[\x00-\x08\x0B\x0C\x0E-\x1F\x{D800}-\x{DFFF}\x{FFFE}\x{FFFF}]/\x{FFFD}/g;
    return $s;
}

sub escape_text {
    my ($s) = @_;
    $s = _clean($s);
    $s =~ s/&/&amp;/g;
    $s =~ s/</&lt;/g;
    $s =~ s/>/&gt;/g;
    $s =~ s/\r/&#13;/g;
    return $s;
}

sub escape_attr {
    my ($s) = @_;
    $s = escape_text($s);
    $s =~ s/"/&quot;/g;
    $s =~ s/'/&apos;/g;
    $s =~ s/\t/&#9;/g;
    $s =~ s/\n/&#10;/g;
    return $s;
}

sub _check_name {
    my ($name) = @_;
    die "internal error: bad XML name '$name'\n" unless $name =~ /\A[A-Za-z_][A-Za-z0-9_.-]*\z/;
    return $name;
}

# attributes: list of name => value pairs, in order; undefined values are left out.
sub _attrs {
    my (@pairs) = @_;
    my $s = '';
    while (@pairs) {
        my ($k, $v) = splice @pairs, 0, 2;
        next unless defined $v;
        $s .= ' ' . _check_name($k) . '="' . escape_attr($v) . '"';
    }
    return $s;
}

sub _indent { my ($self) = @_; return '  ' x scalar @{ $self->{stack} }; }

sub start {
    my ($self, $name, @attrs) = @_;
    $self->{out} .= $self->_indent . '<' . _check_name($name) . _attrs(@attrs) . ">\n";
    push @{ $self->{stack} }, $name;
    return $self;
}

sub end {
    my ($self, $name) = @_;
    my $open = pop @{ $self->{stack} };
    die "internal error: closing $name but $open is open\n" unless defined $open && $open eq $name;
    $self->{out} .= $self->_indent . "</$name>\n";
    return $self;
}

sub empty {
    my ($self, $name, @attrs) = @_;
    $self->{out} .= $self->_indent . '<' . _check_name($name) . _attrs(@attrs) . "/>\n";
    return $self;
}

# <name attrs>text</name>; attrs given as an array ref.
sub text {
    my ($self, $name, $attrs, $text) = @_;
    $self->{out} .= $self->_indent . '<' . _check_name($name) . _attrs(@{ $attrs || [] }) . '>'
      . escape_text($text) . "</$name>\n";
    return $self;
}

# The document as UTF-8 bytes.
sub output {
    my ($self) = @_;
    die "internal error: unclosed elements: @{ $self->{stack} }\n" if @{ $self->{stack} };
    my $doc = qq{<?xml version="1.0" encoding="UTF-8"?>\n} . $self->{out};
    return Encode::encode('UTF-8', $doc);
}

1;
