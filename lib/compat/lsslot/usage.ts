// lsslot's usage text, byte for byte (note the trailing blank after "The" in the -F text).
export const LSSLOT_USAGE = `Usage: lsslot [-c | -a | -b | -p | -o | -s ][-F | -d | -w]
        -c <connector type>
                Display the slots of the specified connector type.  The valid
                connector types are "pci" for hotplug PCI slots, "slot" for
                logical slots, "phb" for PHB's, "port" for LHEA ports, "mem"
                for memory, and "cpu" for cpu's. The default
                is "slot" if no -c option is specified.
        -a      Display available slots, valid for "pci" slots only.
        -b      Display cpu's and caches, valid for "cpu" only.
        -o      Display occupied slots, valid for "pci" slots only.
        -p      Display caches, valid for "cpu" slots only.
        -s [<slot> | <drc index>]
                Display characteristics of the specified slot or the LMB
                associated with drc index.
        -F <delimiter>
                Specified a single character to delimit the output.  The 
                heading is not displayed and the columns are delimited by the
                specified character.
        -d <detail level>
                Enable debugging output. When displaying LMB information
                this will enable printing of LMBs not owned by the system.
        -w <timeout>
                Specify a timeout when attempting to acquire locks.
`;
