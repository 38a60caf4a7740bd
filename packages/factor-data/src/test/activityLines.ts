/**
 * Fuel-card, utility, refrigerant, travel, freight and waste names, as an activity_type that names
 * no factor or a description, with the key each set should answer: its own factor for the name,
 * its default where the name leaves the grade or mode open, never a supplement of CH4 and N2O
 * alone (null: the set has no factor for it). Read by the matching test and pinned with the
 * matcher version.
 */
export const ACTIVITY_LINES: readonly (readonly [text: string, unit: string, desnz: string | null, epaHub: string | null])[] = [
  ['DIESEL 45.2L', 'litre', 'fuels/liquid-fuels/diesel-average-biofuel-blend', 'mobile-combustion-co2/diesel-fuel'],
  ['Shell diesel fuel card', 'litre', 'fuels/liquid-fuels/diesel-average-biofuel-blend', 'mobile-combustion-co2/diesel-fuel'],
  ['Unleaded', 'litre', 'fuels/liquid-fuels/petrol-average-biofuel-blend', 'mobile-combustion-co2/motor-gasoline'],
  ['Petrol', 'litre', 'fuels/liquid-fuels/petrol-average-biofuel-blend', 'mobile-combustion-co2/motor-gasoline'],
  ['Premium gasoline', 'us_gal', 'fuels/liquid-fuels/petrol-average-biofuel-blend', 'mobile-combustion-co2/motor-gasoline'],
  ['Red diesel', 'litre', 'fuels/liquid-fuels/gas-oil', 'mobile-combustion-co2/diesel-fuel'],
  ['Gas oil', 'litre', 'fuels/liquid-fuels/gas-oil', 'stationary-combustion/petroleum-products/distillate-fuel-oil-no-2'],
  ['Heating oil', 'litre', 'fuels/liquid-fuels/burning-oil', 'stationary-combustion/petroleum-products/distillate-fuel-oil-no-2'],
  ['Kerosene', 'litre', 'fuels/liquid-fuels/burning-oil', 'stationary-combustion/petroleum-products/kerosene'],
  ['Jet A-1', 'litre', 'fuels/liquid-fuels/aviation-turbine-fuel', 'mobile-combustion-co2/kerosene-type-jet-fuel'],
  ['Avgas', 'litre', 'fuels/liquid-fuels/aviation-spirit', 'stationary-combustion/petroleum-products/aviation-gasoline'],
  ['Autogas', 'litre', 'fuels/gaseous-fuels/lpg', 'mobile-combustion-co2/liquefied-petroleum-gases-lpg'],
  ['Mains gas', 'kWh', 'fuels/gaseous-fuels/natural-gas', 'stationary-combustion/natural-gas/natural-gas'],
  ['Natural gas', 'therm', 'fuels/gaseous-fuels/natural-gas', 'stationary-combustion/natural-gas/natural-gas'],
  ['Coal', 'tonne', 'fuels/solid-fuels/coal-industrial', 'stationary-combustion/coal-and-coke/mixed-industrial-sector'],
  ['Grid electricity', 'kWh', 'uk-electricity/electricity-generated/electricity-uk', 'electricity/grid-average-location-based'],
  ['District heating', 'kWh', 'heat-and-steam/heat-and-steam/district-heat-and-steam', 'steam-and-heat'],
  ['R-410A top-up', 'kg', 'refrigerant-and-other/blends/r410a/emissions-including-only-kyoto-products', 'refrigerant-blends/r-410a'],
  ['R134a', 'kg', 'refrigerant-and-other/kyoto-protocol-products/hfc-134a/emissions-including-only-kyoto-products', 'refrigerants-and-other-gases/hfc-134a'],
  ['HFC-32 leak', 'kg', 'refrigerant-and-other/kyoto-protocol-products/hfc-32/emissions-including-only-kyoto-products', 'refrigerants-and-other-gases/hfc-32'],
  ['Car mileage', 'mile', 'business-travel-land/cars-by-size/average-car/unknown', 'business-travel-and-commuting/passenger-car'],
  ['Train London to Manchester', 'passenger.km', 'business-travel-land/rail/national-rail', 'business-travel-and-commuting/intercity-rail-national-average'],
  ['Bus', 'passenger.km', 'business-travel-land/bus/average-local-bus', 'business-travel-and-commuting/bus'],
  ['Road freight', 'tonne.km', 'freighting-goods/hgv-all-diesel/all-hgvs/average-laden', 'transport/medium-and-heavy-duty-truck'],
  ['HGV freight', 'tonne.km', 'freighting-goods/hgv-all-diesel/all-hgvs/average-laden', 'transport/medium-and-heavy-duty-truck'],
  ['Sea freight container', 'tonne.km', 'freighting-goods/cargo-ship/container-ship/average', 'transport/waterborne-craft'],
  ['Air freight', 'tonne.km', 'freighting-goods/freight-flights/international-to-from-non-uk/with-rf', 'transport/aircraft'],
  ['General waste to landfill', 'tonne', 'waste-disposal/refuse/commercial-and-industrial-waste/landfill', 'waste/mixed-msw/landfilled'],
  ['Cardboard recycling', 'tonne', 'waste-disposal/paper/paper-and-board-board/closed-loop', 'waste/corrugated-containers/recycled'],
  ['Glass recycling', 'tonne', 'waste-disposal/other/glass/closed-loop', 'waste/glass/recycled'],
  ['Green electricity tariff', 'kWh', 'uk-electricity/electricity-generated/electricity-uk', 'electricity/grid-average-location-based'],
  ['Renewable diesel (HVO)', 'litre', 'bioenergy/biofuel/biodiesel-hvo', 'mobile-combustion-co2/diesel-fuel'],
  ['SF6 switchgear leak', 'kg', 'refrigerant-and-other/kyoto-protocol-products/sulphur-hexafluoride-sf6/emissions-including-only-kyoto-products', 'refrigerants-and-other-gases/sulfur-hexafluoride'],
  ['R-404A recharge', 'lb', 'refrigerant-and-other/blends/r404a/emissions-including-only-kyoto-products', 'refrigerant-blends/r-404a'],
  ['Residual fuel oil #6', 'us_gal', 'fuels/liquid-fuels/processed-fuel-oils-residual-oil', 'stationary-combustion/petroleum-products/residual-fuel-oil-no-6'],
  ['Fuel oil No. 4', 'us_gal', 'fuels/liquid-fuels/fuel-oil', 'stationary-combustion/petroleum-products/distillate-fuel-oil-no-4'],
  ['Intercity bus', 'passenger.km', 'business-travel-land/bus/coach', 'business-travel-and-commuting/bus'],
  ['Amtrak', 'passenger.mile', null, 'business-travel-and-commuting/intercity-rail-national-average'],
  ['Eurostar', 'passenger.km', 'business-travel-land/rail/international-rail', null],
  ['Taxi to the airport', 'km', 'business-travel-land/taxis/regular-taxi', 'business-travel-and-commuting/passenger-car'],
  ['Uber ride', 'mile', 'business-travel-land/taxis/regular-taxi', 'business-travel-and-commuting/passenger-car'],
  ['Flight London to New York', 'passenger.km', 'air-travel', 'air-travel'],
  ['Domestic flight', 'km', 'air-travel', 'air-travel'],
  ['Motorcycle', 'mile', 'business-travel-land/motorbike/average', 'business-travel-and-commuting/motorcycle'],
  ['Sewage', 'm3', 'water-treatment/water-treatment/water-treatment', null],
  ['Delivery van', 'mile', 'freighting-goods/vans/average-up-to-3-5-tonnes/unknown', 'transport/light-duty-truck'],
  ['Pickup truck', 'mile', 'freighting-goods/vans/average-up-to-3-5-tonnes/unknown', 'business-travel-and-commuting/light-duty-truck'],
  ['SUV', 'km', 'business-travel-land/cars-by-size/large-car/unknown', 'business-travel-and-commuting/light-duty-truck'],
  ['Large car - petrol', 'km', 'business-travel-land/cars-by-size/large-car/petrol', 'business-travel-and-commuting/passenger-car'],
  ['Medium car', 'km', 'business-travel-land/cars-by-size/medium-car/unknown', 'business-travel-and-commuting/passenger-car'],
  ['Truck #5 diesel', 'litre', 'fuels/liquid-fuels/diesel-average-biofuel-blend', 'mobile-combustion-co2/diesel-fuel'],
  // The set's own default where the line leaves the load open, not the empty lorry ("0% Laden").
  ['HGV diesel', 'km', 'delivery-vehicles/hgv-all-diesel/all-hgvs/average-laden', 'transport/medium-and-heavy-duty-truck'],
  ['Refrigerated HGV', 'km', 'delivery-vehicles/hgvs-refrigerated-all-diesel/all-hgvs/average-laden', 'transport/medium-and-heavy-duty-truck'],
  ['Heat pump electricity', 'kWh', 'uk-electricity/electricity-generated/electricity-uk', 'electricity/grid-average-location-based'],
  ['Courier', 'tonne.km', 'freighting-goods/vans/average-up-to-3-5-tonnes/unknown', null],
  // Bought by the litre beside the fuel, not burnt: no factor (a boundary), not the diesel whose name it holds.
  ['Diesel exhaust fluid', 'litre', null, null],
  ['AdBlue 10L', 'litre', null, null],
];

/** The sets the lines are matched against, as ACTIVITY_LINES's columns 2 and 3 name them. */
export const ACTIVITY_LINE_SETS = [
  ['DESNZ 2025', ['desnz-2025'], 2],
  ['the EPA Hub 2025 and the grid set', ['epa-hub-2025-r2', 'owid-ember-grid-2025'], 3],
] as const;
