package io.vpccni.eni.aws;

import java.io.ByteArrayInputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * An element of an EC2 XML reply, read with the JDK's StAX into a small tree: local name (EC2's namespace dropped),
 * the text of a leaf, the children in document order. EC2's lists are {@code <fooSet><item>...</item></fooSet>}
 * ({@link #items}). Pure.
 *
 * @param text the element's text when it has no child elements, otherwise empty
 */
record XmlElement(String name, String text, List<XmlElement> children) {

    private static final XMLInputFactory FACTORY = factory();

    XmlElement {
        children = List.copyOf(children);
    }

    /** The first child of that name. */
    Optional<XmlElement> child(String childName) {
        return children.stream().filter(c -> c.name.equals(childName)).findFirst();
    }

    /** The text of the first child of that name; empty when there is no such child. */
    Optional<String> text(String childName) {
        return child(childName).map(XmlElement::text);
    }

    /** The {@code item}s of the child list {@code setName}; none when the list is absent. */
    List<XmlElement> items(String setName) {
        return child(setName).map(set -> set.children.stream().filter(c -> c.name.equals("item")).toList())
                .orElse(List.of());
    }

    /** The first element of that name at any depth, this one included (error replies nest theirs). */
    Optional<XmlElement> find(String elementName) {
        if (name.equals(elementName)) {
            return Optional.of(this);
        }
        for (XmlElement c : children) {
            Optional<XmlElement> found = c.find(elementName);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** The document's root element; {@link IllegalArgumentException} naming the problem when it is not XML. */
    static XmlElement parse(byte[] document) {
        try {
            XMLStreamReader reader = FACTORY.createXMLStreamReader(new ByteArrayInputStream(document));
            try {
                return read(reader);
            } finally {
                reader.close();
            }
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("not an XML document: " + e.getMessage(), e);
        }
    }

    private static XmlElement read(XMLStreamReader reader) throws XMLStreamException {
        record Open(String name, StringBuilder text, List<XmlElement> children) {}
        Deque<Open> open = new ArrayDeque<>();
        while (reader.hasNext()) {
            switch (reader.next()) {
                case XMLStreamConstants.START_ELEMENT ->
                        open.push(new Open(reader.getLocalName(), new StringBuilder(), new ArrayList<>()));
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (!open.isEmpty()) {
                        open.peek().text().append(reader.getText());
                    }
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    Open done = open.pop();
                    var element = new XmlElement(done.name(),
                            done.children().isEmpty() ? done.text().toString() : "", done.children());
                    if (open.isEmpty()) {
                        return element;
                    }
                    open.peek().children().add(element);
                }
                default -> { }
            }
        }
        throw new IllegalArgumentException("not an XML document: no root element");
    }

    private static XMLInputFactory factory() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        // A reply is data: no DTD, no entity that reaches for a file or the network.
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        return factory;
    }
}
